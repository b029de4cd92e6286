"""Page-number pagination that refuses a malformed page number instead of guessing."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.pagination import PageNumberPagination

ERROR_PAGE = gettext_noop("Give a whole number from 1 to %(limit)s.")


class StrictPageNumberPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        limits = {self.page_query_param: 10**9, self.page_size_query_param: self.max_page_size}
        for name, limit in limits.items():
            value = request.query_params.get(name)
            # The length first: int() of a 100,000-digit string raises, it does not refuse.
            if value is not None and not (
                value.isascii()
                and value.isdigit()
                and len(value) <= len(str(limit))
                and 1 <= int(value) <= limit
            ):
                message = _(ERROR_PAGE) % {"limit": limit}
                raise ValidationError({name: [ErrorDetail(message, code="invalid")]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            parameter["schema"]["maximum"] = (
                self.max_page_size if parameter["name"] == self.page_size_query_param else 10**9
            )
        return parameters
