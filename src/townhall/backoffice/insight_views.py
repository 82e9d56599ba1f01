"""Insight for analysts and managers: contacts by channel, digital take-up,
cost to serve, savings, what to move online next, avoidable contact and
service performance, each table downloadable as CSV or XLSX; and, for
organisation admins, the council's costs per transaction."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from townhall.backoffice.access import permission_required
from townhall.backoffice.forms import CostRatesForm, InsightFilterForm
from townhall.core.replica import reads_from_replica
from townhall.insight import downloads, services
from townhall.insight.periods import Period, financial_year_start
from townhall.insight.report import Report, chart_bars, report_build
from townhall.insight.selectors import DateRange
from townhall.insight.ward_map import ward_map
from townhall.tenancy.permissions import Permission


def _report(request: HttpRequest, form: InsightFilterForm, only: str | None = None) -> Report:
    today = timezone.localdate()
    data = form.cleaned_data if form.is_valid() else {}
    start: date = data.get("start") or financial_year_start(today)
    end: date = data.get("end") or today
    period = Period(data.get("period") or Period.MONTH)
    return report_build(
        organisation=request.organisation,  # type: ignore[attr-defined]
        dates=DateRange(start, end),
        period=period,
        only=only,
    )


@require_GET
@permission_required(Permission.VIEW_INSIGHT)
@reads_from_replica  # aggregate reads: the replica when there is one
def insight(request: HttpRequest) -> HttpResponse:
    form = InsightFilterForm(request.GET or None)
    report = _report(request, form)
    tables = [(table, chart_bars(table)) for table in report.tables]
    return render(
        request,
        "backoffice/insight/index.html",
        {
            "form": form,
            "report": report,
            "tables": tables,
            "query": request.GET.urlencode(),
            "ward_map": ward_map(report.ward_cases),
        },
    )


@require_GET
@permission_required(Permission.VIEW_INSIGHT)
@reads_from_replica  # aggregate reads: the replica when there is one
def insight_download(request: HttpRequest, table: str, extension: str) -> HttpResponse:
    form = InsightFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        raise Http404("Those dates are not valid")
    report = _report(request, form, only=table)
    found = report.table(table)
    if found is None or extension not in {"csv", "xlsx"}:
        raise Http404("No such table")
    filename = (
        f"{table}-{report.dates.start.isoformat()}-{report.dates.end.isoformat()}.{extension}"
    )
    if extension == "csv":
        response = HttpResponse(downloads.table_csv(found), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            downloads.table_xlsx(found),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_http_methods(["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def insight_rates(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = CostRatesForm(
        request.POST if request.method == "POST" else None,
        initial=services.rates_initial(organisation=organisation),
    )
    if request.method == "POST" and form.is_valid():
        services.rates_save(organisation=organisation, data=form.cleaned_data)
        messages.success(request, _("Costs saved."))
        return redirect("backoffice:insight-rates")
    return render(
        request,
        "backoffice/insight/rates.html",
        {"form": form, "rates": services.rates_shown(organisation=organisation)},
    )
