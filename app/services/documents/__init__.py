"""Printed documents: assemblers read what a document shows through the unit of work's
repositories and build the page-independent ``Document`` (``app.domain.documents.model``);
``app.documents.render`` turns a list of them into one PDF, outside the transaction. The
company settings their header prints live here too (one area of the bus)."""
