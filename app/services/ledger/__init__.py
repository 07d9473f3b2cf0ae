"""The books: journal entries posted from money events, trial balance and exports."""
