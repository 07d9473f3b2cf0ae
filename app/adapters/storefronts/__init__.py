"""Storefront platforms (Shopify, WooCommerce): what Lading tells a shop back."""
