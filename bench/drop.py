"""Drop a bench database: python -m bench.drop --db sqlite|pg --scale small|full."""

import argparse

from bench import common

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--scale", default="small")
    args = parser.parse_args()
    common.drop(common.db_url("sqlite" if args.db == "sqlite" else "postgresql", args.scale))
