"""A tenant site's home page: the visitor's roles and, for park staff, the registrations waiting
and the park's dashboard.

Here rather than in the kernel (saas), which routes to feature apps but imports none.
"""

from django.db import connection
from django.shortcuts import redirect, render

from every_schema.accounts import roles

from .dashboard import PERIODS, dashboard_period, park_dashboard
from .selectors import enterprise_list_for_user, user_is_park_admin, user_is_park_staff


def tenant_home(request):
    if connection.schema_name == "public":
        return redirect("hub:home")
    user = request.user
    context = {"user_roles": []}
    if user.is_authenticated:
        context["user_roles"] = [label for name, label in roles.ROLE_NAMES.items() if name in user.role_set()]
        if user_is_park_staff(user):
            context["pending_enterprise_count"] = enterprise_list_for_user(
                user=user, status="pending"
            ).count()
            # The park's own figures, from the definitions the hub uses (tenant_schema.figures).
            period = dashboard_period(request.GET.get("period", ""))
            context["dashboard"] = park_dashboard(period=period, with_revenue=user_is_park_admin(user))
            context["period"] = period
            context["periods"] = PERIODS
    return render(request, "home.html", context)
