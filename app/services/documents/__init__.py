"""Printable documents: each document type assembled into the one document model, and the
company settings their header prints (one area of the bus)."""
