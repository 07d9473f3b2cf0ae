"""Production systems (MES) that make what make-to-order requests ask for: the port
(``base``) and Lading's own signed JSON protocol (``lading_json``)."""
