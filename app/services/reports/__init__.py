"""Reports (数据分析): read-only queries over the summaries the worker keeps
(``app.worker.reports``), shaped into series, totals and the time they are complete to."""
