"""What a roll-up costs on the demo data (queries and median time): run after `giaoban demo` with
`giaoban shell < bench/demo_rollups.py`. Not a test; numbers go in issue notes."""

import statistics
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from giaoban.orgs.models import OrgUnit
from giaoban.reporting import selectors
from giaoban.reporting.models import Indicator

admin = get_user_model().objects.get(username="admin")
cases = [
    ("389", "FANPAGE_FOLLOWERS", "2023N9", False),
    ("389", "BLOG_POSTS", "2023N9", False),
    ("38", None, "2026", True),
    ("15061", None, "2023", False),
]
for code, ind, period, by_child in cases:
    unit = OrgUnit.objects.get(code=code)
    indicator = (
        Indicator.objects.get(code=ind)
        if ind
        else Indicator.objects.filter(value_type="integer")
        .exclude(code__startswith="BLOG")
        .exclude(code__startswith="FANPAGE")
        .first()
    )
    kw = dict(by_child=by_child, restated=(code == "15061"))
    with CaptureQueriesContext(connection) as ctx:
        r = selectors.rollup(admin, indicator, unit, period, **kw)
    times = []
    for _ in range(20):
        t = time.perf_counter()
        selectors.rollup(admin, indicator, unit, period, **kw)
        times.append(time.perf_counter() - t)
    print(
        f"{code} {indicator.code} {period} {kw}: value={r.value} queries={len(ctx)} median={statistics.median(times) * 1000:.1f} ms"
    )
