from django.urls import path

from . import views

app_name = "awards"

urlpatterns = [
    path("awards/", views.award_list, name="mine"),
    path("awards/<int:pk>/", views.award_detail, name="detail"),
    path("awards/<int:pk>/act/", views.award_act, name="act"),
    path("awards/<int:pk>/files/<int:file_pk>/", views.report_file, name="report_file"),
    path("park/awards/", views.park_award_list, name="park_list"),
    path("park/awards/plan/<int:application_pk>/", views.park_award_plan, name="park_plan"),
]
