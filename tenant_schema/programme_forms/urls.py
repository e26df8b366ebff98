"""Pages of programme guides and forms, mounted at the tenant site's root."""

from django.urls import path

from . import views

app_name = "programme_forms"

urlpatterns = [
    path("park/programmes/<int:pk>/guide/", views.guide_edit, name="guide"),
    path("park/programmes/<int:pk>/form/", views.form_builder, name="builder"),
    path("park/programmes/<int:pk>/form/field/", views.form_field, name="field_new"),
    path("park/programmes/<int:pk>/form/field/<slug:key>/", views.form_field, name="field"),
    path("park/programmes/<int:pk>/form/item/<slug:key>/", views.form_item, name="item"),
    path("park/programmes/<int:pk>/form/publish/", views.form_publish_view, name="publish"),
    path("park/programmes/<int:pk>/form/answers.xlsx", views.answers_export, name="export"),
    path("applications/<int:pk>/form/", views.form_fill, name="fill"),
]
