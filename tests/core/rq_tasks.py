"""A task for tests/core/test_tasks_rq.py, importable by the rq worker it starts."""

from django_tasks import task


@task()
def add(a: int, b: int) -> int:
    return a + b
