"""Pages of the reporting app, one module per concept: a unit's reports and their entry, the officer's
status page and transitions, roll-ups, the audit trail, the consolidated report, the dashboard, imports and
the Excel exchange."""
