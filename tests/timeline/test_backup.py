"""Back up, destroy, restore, compare: on whichever database the suite runs on."""

import io
import shutil

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection

from timeline.models import Event, Revision, Topic

from .test_workflow import CHANGE, change_form_data


def export() -> str:
    out = io.StringIO()
    call_command("export_events", stdout=out)
    return out.getvalue()


@pytest.mark.skipif(
    connection.vendor == "postgresql" and not shutil.which("pg_dump"), reason="pg_dump is not installed"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # pg_dump must see committed data
def test_backup_destroy_restore_gives_back_everything(tmp_path, publisher_client, make_event):
    call_command("load_seed", stdout=io.StringIO())
    draft = make_event(title="Entwurf, nur im Backup", status=Event.Status.DRAFT, publish_at=None)
    data = change_form_data(publisher_client.get(CHANGE.format(draft.pk)))
    data["summary_de"] = "Mit Verlauf."
    publisher_client.post(CHANGE.format(draft.pk), data)
    before, revisions, users = export(), Revision.objects.count(), User.objects.count()
    assert revisions >= 1

    backup = tmp_path / "backup.db"
    call_command("backup_database", str(backup), stdout=io.StringIO())
    assert backup.stat().st_size > 0

    Event.objects.all().delete()  # the disaster
    Topic.objects.all().delete()
    Revision.objects.all().delete()
    assert export() == "[]\n"

    call_command("backup_database", str(backup), "--restore", stdout=io.StringIO())
    assert export() == before
    assert (Revision.objects.count(), User.objects.count()) == (revisions, users)
    assert "Entwurf, nur im Backup" in before
