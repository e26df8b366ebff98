"""The hub's calendar page: which years are known, and entering next year's schedule."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from public_schema.hub.access import hub_operator_required
from saas import workdays

from .selectors import calendar_expiry, calendar_years
from .services import calendar_year_enter, schedule_text


@hub_operator_required
def calendar_page(request):
    next_year = workdays.known_until().year + 1
    errors: dict = {}
    if request.method == "POST":
        year_text = request.POST.get("year", "").strip()
        notice = request.POST.get("notice", "")
        try:
            year = int(year_text)
        except ValueError:
            errors = {"year": [_("Enter a year, such as %(year)s.") % {"year": next_year}]}
        else:
            try:
                calendar_year_enter(year=year, notice=notice, actor=request.user)
            except ValidationError as error:
                errors = error.message_dict
            else:
                messages.success(
                    request,
                    _("The %(year)s schedule is saved. Open deadlines in every tenant are being recounted.")
                    % {"year": year},
                )
                return redirect("workcalendar:calendar")
        form_year, form_notice = year_text, notice
    else:
        form_year = request.GET.get("year") or str(next_year)
        form_notice = ""
        if form_year.isdigit() and int(form_year) in workdays.known_years():
            form_notice = schedule_text(workdays.schedule_for(int(form_year), warn=False))
    return render(
        request,
        "workcalendar/calendar.html",
        {
            "years": calendar_years(),
            "next_year": next_year,
            "known_until": workdays.known_until(),
            "calendar_expiry": calendar_expiry(),
            "form_year": form_year,
            "form_notice": form_notice,
            "errors": errors,
        },
        status=400 if errors else 200,
    )
