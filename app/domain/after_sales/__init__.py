"""After-sales (售后): service cases with their timeline, returns (RMA) and delivery feedback.

``cases`` holds the case's kinds, states and targets; ``returns`` what may be returned, how a
return is approved, received and resolved; ``feedback`` the delivery rating. Pure rules, no I/O.
"""
