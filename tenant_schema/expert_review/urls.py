"""Pages of expert review: the expert's cases, the park's score sheets and pool, the enterprise's outcome."""

from django.urls import path

from . import views

app_name = "expert_review"

urlpatterns = [
    path("expert/", views.expert_cases, name="cases"),
    path("expert/cases/<int:pk>/", views.expert_case, name="case"),
    path("expert/cases/<int:pk>/application/", views.expert_case_application, name="case_application"),
    path("expert/cases/<int:pk>/act/<slug:action>/", views.expert_case_act, name="case_act"),
    path("park/expert-review/", views.park_overview, name="park"),
    path("park/expert-review/experts/", views.park_experts, name="experts"),
    path("park/expert-review/experts/<int:pk>/ties/", views.park_expert_tie, name="expert_tie"),
    path("park/expert-review/stages/<int:stage_pk>/", views.park_stage, name="stage"),
    path("park/expert-review/stages/<int:stage_pk>/sheet/", views.park_sheet_new, name="sheet_new"),
    path("park/expert-review/stages/<int:stage_pk>/assign/", views.park_stage_assign, name="assign"),
    path("park/expert-review/stages/<int:stage_pk>/confirm/", views.park_stage_confirm, name="confirm"),
    path("applications/<int:pk>/expert-review/", views.enterprise_outcome, name="outcome"),
]
