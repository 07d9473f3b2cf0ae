"""Service cases (售后工单) and delivery feedback: opened by staff or by the customer from the
tracking link, worked through their states with a timeline of messages, notes and changes."""
