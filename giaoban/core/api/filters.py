"""The API's filter backend: django-filter's, with every number filter bounded to what the database can
compare (a 64-bit integer), so `?committee=1e30` is a 400 with the field named, not a server error."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django_filters.rest_framework import DjangoFilterBackend

BIGGEST = 2**63 - 1


class FilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            bound_numbers(filterset.form)
        return filterset


def bound_numbers(form) -> None:
    """Limit every number field of a filter form to [-2**63, 2**63 - 1] (the form is the filterset's own)."""
    for field in form.fields.values():
        if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
            field.validators = [*field.validators, MinValueValidator(-BIGGEST - 1), MaxValueValidator(BIGGEST)]
