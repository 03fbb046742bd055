"""Background jobs of the core: the worker heartbeat that /healthz watches."""

from django_tasks import task


@task()
def heartbeat() -> None:
    """Does nothing: a worker that runs it proves it is taking tasks (giaoban.core.health.Worker)."""
