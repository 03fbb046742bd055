"""The giao ban cycle: meetings, conclusion notices, tasks and their follow-up."""
