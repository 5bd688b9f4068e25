"""Backups: a pg_dump -Fc restores with pg_restore into a fresh database (docs/backup.md)."""

from __future__ import annotations

import os
import shutil
import subprocess

import psycopg
import pytest
from django.db import connection

from tests import factories
from tests.conftest import need_service

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _pg_env(settings_dict) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": settings_dict.get("HOST") or "127.0.0.1",
            "PGPORT": str(settings_dict.get("PORT") or 5432),
            "PGUSER": settings_dict.get("USER") or "postgres",
        }
    )
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return env


def _admin_conninfo(settings_dict) -> str:
    env = _pg_env(settings_dict)
    info = f"host={env['PGHOST']} port={env['PGPORT']} user={env['PGUSER']} dbname=postgres"
    if env.get("PGPASSWORD"):
        info += f" password={env['PGPASSWORD']}"
    return info


def test_dump_restores_into_a_fresh_database_with_the_records(tmp_path, api_client_for):
    need_service("postgresql", connection.vendor == "postgresql", "set DATABASE_URL=postgres://…")
    need_service("pg_dump", bool(shutil.which("pg_dump") and shutil.which("pg_restore")))
    # given a clinic with a patient, a consultation, a plan, a session and an audit event
    session = factories.TherapySessionFactory()
    patient = session.patient
    factories.ConsultationFactory(patient=patient)
    manager = factories.ManagerFactory()
    api_client_for(manager).get(f"/api/v1/patients/{patient.pk}/")
    settings_dict = connection.settings_dict
    env = _pg_env(settings_dict)
    dump = tmp_path / "clinic.dump"
    restored = f"{settings_dict['NAME']}_restore"[:63]
    # when: the documented backup and restore commands
    subprocess.run(  # noqa: S603 (fixed arguments, our own test database)
        [shutil.which("pg_dump"), "-Fc", "--no-owner", "-f", str(dump), settings_dict["NAME"]],
        env=env,
        check=True,
        timeout=120,
    )
    with psycopg.connect(_admin_conninfo(settings_dict), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{restored}"')
        admin.execute(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(  # noqa: S603
            [
                shutil.which("pg_restore"),
                "--no-owner",
                "--exit-on-error",
                "-d",
                restored,
                str(dump),
            ],
            env=env,
            check=True,
            timeout=120,
        )
        # then the records are there, and the audit log is still append-only
        conninfo = _admin_conninfo(settings_dict).replace("dbname=postgres", f"dbname={restored}")
        with psycopg.connect(conninfo, autocommit=True) as db:
            row = db.execute(
                "SELECT mrn, last_name FROM patients_patient WHERE id = %s", [patient.pk]
            ).fetchone()
            assert row == (patient.mrn, patient.last_name)
            assert db.execute(
                "SELECT count(*) FROM patients_consultation WHERE patient_id = %s", [patient.pk]
            ).fetchone() == (1,)
            assert db.execute(
                "SELECT status FROM therapy_sessions_therapysession WHERE id = %s", [session.pk]
            ).fetchone() == (session.status,)
            assert db.execute(
                "SELECT count(*) FROM audit_auditevent WHERE patient_id = %s", [patient.pk]
            ).fetchone() == (1,)
            with pytest.raises(psycopg.errors.RaiseException):
                db.execute("UPDATE audit_auditevent SET username = 'x'")
    finally:
        with psycopg.connect(_admin_conninfo(settings_dict), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
