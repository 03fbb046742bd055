"""Pages of the work app: meetings and their conclusions, tasks and their follow-up, the scorecard,
notifications. One module per concept."""
