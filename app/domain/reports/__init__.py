"""Reports (数据分析): the pure rules — what an order counts for, its lead times, periods,
percentiles from histograms, the parameters a report accepts, and which events touch which
summaries."""
