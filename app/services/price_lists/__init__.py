"""Price lists: customer and group prices with quantity breaks and validity dates.

A price list and its items are one document: the audit images and the version cover both."""
