"""The `giaoban` console command: Django's management commands under one name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giaoban.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "giaoban"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
