"""search-gateway's periodic jobs, all declared here: `python -m search_gateway.schedules` runs them.

Each entry is ``Schedule(name, interval_s, callable)``; none yet (the query cache expires by itself,
and the search issue adds the index maintenance jobs here).
"""

from dbay_common.flask.schedules import Schedule, run_schedules
from search_gateway.config import SERVICE

SCHEDULES: list[Schedule] = []

if __name__ == "__main__":
    run_schedules(SCHEDULES, service=SERVICE)
