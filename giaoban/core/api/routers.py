"""The /api/v1/ router: an id in a path is digits, so /submissions/abc/ is a 404 like any unknown
address instead of reaching a lookup that cannot take it."""

from rest_framework.routers import DefaultRouter

ID_REGEX = "[0-9]+"


class Router(DefaultRouter):
    def get_lookup_regex(self, viewset, lookup_prefix=""):
        # A ViewSet that looks rows up by its integer key and says nothing else takes digits only;
        # one that sets lookup_value_regex (codes, uuids) keeps its own.
        if "lookup_value_regex" not in _attributes(viewset) and getattr(viewset, "lookup_field", "pk") in ("pk", "id"):
            viewset = type(viewset.__name__, (viewset,), {"lookup_value_regex": ID_REGEX})
        return super().get_lookup_regex(viewset, lookup_prefix)


def _attributes(cls) -> set[str]:
    return {name for klass in cls.__mro__ for name in vars(klass)}
