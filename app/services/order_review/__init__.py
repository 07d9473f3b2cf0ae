"""Order review (审核/审批): review on submit and edit, approvals, holds, payment reports,
credit control, and the review settings. One module per use case; commands in commands.py."""
