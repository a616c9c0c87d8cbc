"""`python -m components.ops ...` is `airflow-ha ...` without the console script."""

from .app import main

main()
