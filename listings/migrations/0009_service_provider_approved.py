# The provider's "approved" copied onto each service, kept by triggers (see Service's field).

from django.db import migrations, models

# Every insert, and every write that names provider_id or provider_approved (Django's save()
# names every column, so a stale instance cannot write an old copy), reads the provider's status.
# A new row (or one moved to another provider) takes a FOR SHARE lock on the provider: a
# concurrent status change then either waits for this row to commit and rewrites it, or
# commits first and this read sees it. An existing row needs no lock: the provider's trigger
# waits for its row lock and rewrites it after.
SERVICE_TRIGGER = """
CREATE FUNCTION listings_service_provider_approved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.provider_id IS DISTINCT FROM OLD.provider_id THEN
        PERFORM 1 FROM accounts_providerprofile WHERE id = NEW.provider_id FOR SHARE;
    END IF;
    NEW.provider_approved := EXISTS (
        SELECT 1 FROM accounts_providerprofile
        WHERE id = NEW.provider_id AND status = 'approved'
    );
    RETURN NEW;
END $$;
CREATE TRIGGER service_provider_approved
    BEFORE INSERT OR UPDATE OF provider_id, provider_approved ON listings_service
    FOR EACH ROW EXECUTE FUNCTION listings_service_provider_approved();
"""

# A provider's status change (approval, suspension, rejection, back to pending) rewrites
# their services' copies in the same transaction, whoever made it.
PROVIDER_TRIGGER = """
CREATE FUNCTION listings_provider_status_to_services() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE listings_service SET provider_approved = (NEW.status = 'approved')
    WHERE provider_id = NEW.id AND provider_approved IS DISTINCT FROM (NEW.status = 'approved');
    RETURN NULL;
END $$;
CREATE TRIGGER provider_status_to_services
    AFTER UPDATE OF status ON accounts_providerprofile
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION listings_provider_status_to_services();
"""

BACKFILL = """
UPDATE listings_service AS s SET provider_approved = true
FROM accounts_providerprofile AS p
WHERE p.id = s.provider_id AND p.status = 'approved' AND NOT s.provider_approved
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_provider_name_trigram_index"),
        ("listings", "0008_service_active_search_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="service",
            name="provider_approved",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RunSQL(
            SERVICE_TRIGGER,
            "DROP TRIGGER service_provider_approved ON listings_service;"
            " DROP FUNCTION listings_service_provider_approved();",
        ),
        migrations.RunSQL(
            PROVIDER_TRIGGER,
            "DROP TRIGGER provider_status_to_services ON accounts_providerprofile;"
            " DROP FUNCTION listings_provider_status_to_services();",
        ),
    ]
