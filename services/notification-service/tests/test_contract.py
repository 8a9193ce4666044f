from dbay_common.flask.schedules import job_callable
from dbay_common.testing.contracts import (
    FlaskMongoServiceContract,
    FlaskServiceContract,
    FlaskWorkerContract,
    SettingOnPort,
)
from notification_service import schedules, worker


class TestNotificationServiceContract(FlaskServiceContract, FlaskWorkerContract, FlaskMongoServiceContract):
    package = "notification_service"
    service = "notification-service"
    worker = worker
    public_path = "/api/v1/notifications/"
    handled_event_types = frozenset(
        {
            "deposit.detected",
            "deposit.confirmed",
            "deposit.reversed",
            "withdrawal.requested",
            "withdrawal.broadcast",
            "withdrawal.confirmed",
            "withdrawal.failed",
            "withdrawal.held",
            "withdrawal.unconfirmed",
            "session.started",
            "listing.created",
            "listing.updated",
            "listing.published",
            "listing.ended",
            "listing.withdrawn",
            "search.matched",
            "message.sent",
            "conversation.read",
            "user.registered",
            "user.email_verified",
            "user.profile_updated",
            "listing.ending_soon",
            "bid.placed",
            "bid.outbid",
            "auction.extended",
            "auction.closed",
            "auction.ended_unsold",
        }
    )
    stores = {
        "mongodb": SettingOnPort("MONGODB_URI", "mongodb://127.0.0.1:{port}/notification"),
        "redis": SettingOnPort("REDIS_URL", "redis://127.0.0.1:{port}/6"),
    }

    def test_schedules_declare_the_daily_purges_and_each_runs(self, mongodb_uri: str) -> None:
        """The shared daily purges, then this service's digest and retention jobs; each runs."""
        assert [(job.task, job.every_s) for job in schedules.JOBS] == [
            (f"{self.package}.db.STORE.idempotency_records_purge", 86400),
            (f"{self.package}.db.STORE.inbox_records_purge", 86400),
            (f"{self.package}.digest.digests_send", 300),
            (f"{self.package}.digest.notifications_retention_purge", 86400),
        ]
        assert [job_callable(job)() for job in schedules.JOBS] == [0, 0, 0, 0]
