"""The committee's own official channels and their published metrics, its contests and its trainings."""
