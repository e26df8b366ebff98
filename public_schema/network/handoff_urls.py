from django.urls import path

from . import handoff_views

app_name = "handoffs"

urlpatterns = [
    path("network/handoffs/", handoff_views.handoff_list, name="list"),
    path("network/handoffs/<int:pk>/resend/", handoff_views.handoff_resend_now, name="resend"),
]
