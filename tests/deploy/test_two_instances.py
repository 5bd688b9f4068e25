"""Several processes on several hosts: two gunicorn instances, two Celery workers and
one beat, started for real against one PostgreSQL database and one Redis, on each
broker (Redis, then RabbitMQ: tests/brokers.py).

Through both instances at once: bookings of one slot (R10: one wins, the others
get the clash), completions of one session (R11: one completion), scans on both
workers and from beat (R13: no duplicate reminder, one digest e-mail per person),
and the login guards shared by every instance: django-axes' lockout and the token
throttle count failures spread over both instances. Last, a worker is killed while
it holds a task: RabbitMQ hands the task to the other worker at once, Redis only
after its visibility timeout (docs/celery.md).

Needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL), and RABBITMQ_URL for the
RabbitMQ run; skipped without them, failed under REQUIRE_SERVICES=1. The
subprocesses see the test database because the test commits (`transaction=True`)
and they are given its name.
"""

from __future__ import annotations

import datetime as dt
import email
import time
from collections import Counter

import pytest
from celery import Celery
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from rest_framework.authtoken.models import Token

from clinic.models import TokenUse
from patients import reminders
from patients.models import Reminder, ReminderKind
from sessions.models import TherapySession
from tests import factories
from tests.brokers import broker, broker_url, transport_options  # noqa: F401 - a fixture
from tests.conftest import need_service
from tests.deploy.cluster import Cluster, database_url, production_env, race, random_loopback
from tests.deploy.cluster import request as http

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(240),
]

SCAN = "patients.tasks.send_consultation_reminders"
DIGESTS = "patients.tasks.send_reminder_digests"
AXES_FAILURE_LIMIT = 3
THROTTLE_PER_MINUTE = 6
PASSWORD = "two-instances-pass-2026"
HASHER = PBKDF2PasswordHasher()
SCORES = {"pain_before": 6, "pain_after": 3, "mobility_score": 5}


@pytest.fixture
def cluster(broker, tmp_path):  # noqa: F811 - the fixture imported above
    need_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL=postgres://…")
    redis = broker_url("redis")  # the cache (throttles) is Redis whatever the broker
    (tmp_path / "mail").mkdir()
    env = production_env(
        database=database_url(connection.settings_dict),
        redis=redis,
        broker=broker,
        mail_dir=tmp_path / "mail",
        REMINDER_ESCALATION_DAYS=0,
        AXES_FAILURE_LIMIT=AXES_FAILURE_LIMIT,
        TOKEN_THROTTLE_RATE=f"{THROTTLE_PER_MINUTE}/min",
        NUM_PROXIES=0,
    )
    made = Cluster(env=env, logs=tmp_path)
    yield made
    made.stop()


def start(cluster: Cluster) -> None:
    try:
        for name in ("web1", "web2"):
            cluster.web(name)
        for name in ("worker1", "worker2"):
            cluster.worker(name)
        cluster.beat("beat")
        cluster.wait_ready()
    except BaseException:
        cluster.stop()
        raise


def token_for(user) -> str:
    token = Token.objects.create(user=user)
    TokenUse.objects.create(token=token, last_used=timezone.now())
    return token.key


def cleared_patient(**kwargs):
    patient = factories.PatientFactory(**kwargs)
    factories.ConsultationFactory(patient=patient)
    return patient


def digests_sent(mail_dir) -> Counter:
    """{address: digest e-mails it was sent} from the file backend's files."""
    sent: Counter = Counter()
    for path in mail_dir.iterdir():
        for raw in path.read_text().split("-" * 79):
            if raw.strip():
                message = email.message_from_string(raw.strip())
                if (message["Subject"] or "").startswith("Your daily clinic reminders"):
                    sent[message["To"]] += 1
    return sent


def wait_until(condition, what: str, cluster: Cluster, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            logs = "\n\n".join(f"{p.name}:\n{p.tail(15)}" for p in cluster.processes)
            raise AssertionError(f"{what} did not happen in {timeout:.0f} s\n{logs}")
        time.sleep(0.2)


def test_two_instances_two_workers_and_one_beat_share_one_database_redis_and_broker(
    cluster,
    broker,  # noqa: F811 - the fixture imported above
    tmp_path,
):
    # given: a massage therapist with four patients, each with an active plan
    # (booking race); a session of yesterday (completion race); a patient with no
    # consultation (reminders) and a manager; a beat entry that scans every 2 s
    manager = factories.ManagerFactory()
    therapist = factories.MassageTherapistFactory()
    plans = [
        factories.ActivePlanFactory(patient=cleared_patient(massage_therapist=therapist))
        for _ in range(4)
    ]
    session = factories.TherapySessionFactory(
        plan=plans[0], scheduled_start=timezone.now() - dt.timedelta(days=1)
    )
    uncleared = factories.PatientFactory()
    locked, other = factories.PhysicalTherapistFactory(), factories.PhysicalTherapistFactory()
    for user in (locked, other):
        # Production settings verify PBKDF2 (the test settings hash with MD5); few
        # iterations keep each check fast (a login would upgrade the hash).
        user.password = HASHER.encode(PASSWORD, HASHER.salt(), iterations=1000)
        user.save(update_fields=["password"])
    every_2s = IntervalSchedule.objects.create(every=2, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="scan every 2 s (test)", task=SCAN, interval=every_2s)
    token = token_for(therapist)
    start(cluster)
    web1, web2 = cluster.web_ports

    # --- R10: four bookings of one therapist's slot, two through each instance
    slot = timezone.localtime() + dt.timedelta(days=1)
    slot = slot.replace(hour=10, minute=0, second=0, microsecond=0).isoformat()
    bookings = race(
        [
            {
                "port": (web1, web2)[i % 2],
                "method": "POST",
                "path": "/api/v1/sessions/",
                "body": {"plan": plan.pk, "kind": "massage", "scheduled_start": slot},
                "token": token,
            }
            for i, plan in enumerate(plans)
        ]
    )
    statuses = sorted(status for status, _ in bookings)
    assert statuses == [201, 400, 400, 400], bookings
    refusals = [body for status, body in bookings if status == 400]
    assert all("already booked" in str(body["scheduled_start"]) for body in refusals), refusals
    assert TherapySession.objects.filter(scheduled_start=slot).count() == 1

    # --- R11: four completions of one session, two through each instance
    path = f"/api/v1/sessions/{session.pk}/complete/"
    completions = race(
        [
            {"port": port, "method": "POST", "path": path, "body": SCORES, "token": token}
            for port in (web1, web2, web1, web2)
        ]
    )
    assert sorted(status for status, _ in completions) == [200, 400, 400, 400], completions
    assert all("status" in body for status, body in completions if status == 400), completions
    session.refresh_from_db()
    assert session.status == "completed"
    assert session.history.filter(status="completed").count() == 1

    # --- R13: six scans sent at once, picked up by both workers, and beat's
    probe = publisher(broker)
    sent = {probe.send_task(SCAN).id for _ in range(6)}

    def scans_done() -> dict[str, set[str]]:
        return cluster.task_lines(SCAN, "succeeded")

    wait_until(lambda: sent <= set().union(*scans_done().values()), "the six scans", cluster)
    wait_until(lambda: set().union(*scans_done().values()) - sent, "a scan sent by beat", cluster)
    ran = scans_done()
    assert ran["worker1"] & sent and ran["worker2"] & sent, f"one worker ran them all: {ran}"

    # beat stops; every task received (scans, digests) finishes, then the count
    cluster.stop_one("beat")

    def settled() -> bool:
        # each scan enqueues a digest after it commits: wait for them all
        finished = {}
        for task in (SCAN, DIGESTS):
            received = set().union(*cluster.task_lines(task, "received").values())
            finished[task] = set().union(*cluster.task_lines(task, "succeeded").values())
            if received - finished[task]:
                return False
        return len(finished[DIGESTS]) >= len(finished[SCAN])

    wait_until(settled, "every task finishing", cluster)

    team = {uncleared.massage_therapist, uncleared.physical_therapist, manager}
    consultation = Reminder.objects.filter(
        patient=uncleared, kind=ReminderKind.CONSULTATION_MISSING
    )
    assert {r.recipient for r in consultation} == team
    # one per person (per day, should the run straddle midnight), however many scans ran
    days = {timezone.localdate(r.created_at) for r in consultation}
    assert consultation.count() == len(team) * len(days)
    assert reminders.reminder_scan().created == 0  # the workers left nothing undone
    assert not consultation.filter(emailed_at__isnull=True).exists()
    sent_to = digests_sent(tmp_path / "mail")
    assert {person.email for person in team} <= set(sent_to), sent_to
    assert set(sent_to.values()) == {1}, f"a digest sent twice: {sent_to}"

    # --- django-axes: failures spread over both instances lock the account
    address = random_loopback()
    login = {"method": "POST", "path": "/api/v1/auth/token/", "source": address}
    status, body = http(web1, body={"username": other.username, "password": PASSWORD}, **login)
    assert status == 200 and body["token"], body  # the password works under these settings
    wrong = {"username": locked.username, "password": "not-the-password"}
    for port in (web1, web2, web1)[:AXES_FAILURE_LIMIT]:
        status, body = http(port, body=wrong, **login)
        assert status in (400, 429), body
    right = {"username": locked.username, "password": PASSWORD}
    for port in (web2, web1):
        status, body = http(port, body=right, **login)
        assert status == 429 and "Too many failed logins" in body["detail"], (port, body)

    # --- the token throttle: requests spread over both instances count together
    address = random_loopback()
    login = {"method": "POST", "path": "/api/v1/auth/token/", "source": address}
    for i in range(THROTTLE_PER_MINUTE):
        # a new username each time: axes' lockout (per username) stays out of it
        # (no password: refused before any hashing; the throttle counts it all the same)
        nobody = {"username": f"nobody{i}", "password": ""}
        status, body = http((web1, web2)[i % 2], body=nobody, **login)
        assert status == 400, (i, body)
    for port in (web1, web2):
        status, body = http(port, body={"username": "x", "password": "x"}, **login)
        assert status == 429 and "throttled" in body["detail"], (port, body)

    # --- a worker killed while it holds a task (docs/celery.md, "Choosing the broker")
    held_task_after_its_worker_is_killed(cluster, probe, on_rabbitmq=broker.startswith("amqp"))
    probe.close()


def publisher(url: str) -> Celery:
    """A bare Celery app that sends tasks by name to the broker the processes use."""
    probe = Celery("probe", broker=url, set_as_current=False)
    probe.conf.broker_transport_options = transport_options(url)
    return probe


def held_task_after_its_worker_is_killed(cluster: Cluster, probe: Celery, on_rabbitmq: bool):
    """RabbitMQ gives the other worker a killed worker's task at once; Redis keeps it
    unacknowledged until the visibility timeout (1 h) has passed.

    A scan due in 30 s is held, unacknowledged, by the worker that took it;
    that worker is killed outright (SIGKILL: no warm shutdown, no requeue).
    """
    held = probe.send_task(SCAN, countdown=30, expires=90).id  # expires: no stray scan later

    def takers() -> list[str]:
        return [name for name, ids in cluster.task_lines(SCAN, "received").items() if held in ids]

    wait_until(takers, "a worker taking the held scan", cluster)
    (holder,) = takers()
    other = "worker2" if holder == "worker1" else "worker1"
    cluster.kill(holder)
    if on_rabbitmq:
        wait_until(lambda: other in takers(), "the other worker getting it", cluster, timeout=15)
    else:
        time.sleep(3)
        assert takers() == [holder], "Redis handed it over before the visibility timeout"
