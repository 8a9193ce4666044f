from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "wallet_service.staff"
    label = "staff"
    verbose_name = "Staff operations"
