"""The staff audit log is append-only in the database: UPDATE and DELETE raise (SQLSTATE 23001).

TRUNCATE is not a row operation: the runtime role holds only SELECT and INSERT on it
(``manage.py db_roles``).
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION staff_action_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'staff audit log: % on % is refused: the log is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER staff_action_append_only
    BEFORE UPDATE OR DELETE ON staff_staffaction
    FOR EACH ROW EXECUTE FUNCTION staff_action_refuse_change();
"""

BACKWARD = """
DROP TRIGGER staff_action_append_only ON staff_staffaction;
DROP FUNCTION staff_action_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("staff", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
