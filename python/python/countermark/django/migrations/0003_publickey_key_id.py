# countermark 0.2: one name for the key id everywhere (PublicKey.kid -> PublicKey.key_id; the rows are kept).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('countermark', '0002_refusals_instead_of_lockout'),
    ]

    operations = [
        migrations.RenameField(
            model_name='publickey',
            old_name='kid',
            new_name='key_id',
        ),
    ]
