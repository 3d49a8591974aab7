# Migration report (countermark_report): per key and scheme request counts, and when an API key moved to RFC 9421.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('countermark', '0003_publickey_key_id'),
    ]

    operations = [
        migrations.AddField(
            model_name='apikey',
            name='rfc9421_since',
            field=models.DateTimeField(
                blank=True,
                help_text="When this key first signed an RFC 9421 request. With COUNTERMARK['RETIRE_LEGACY_AFTER_RFC9421'] its HMAC-header and FOST credentials are refused from then on; clear it to accept them again.",
                null=True,
                verbose_name='RFC 9421 since',
            ),
        ),
        migrations.CreateModel(
            name='KeyUsage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key_id', models.CharField(blank=True, max_length=64, verbose_name='key id')),
                ('scheme', models.CharField(max_length=16, verbose_name='scheme')),
                ('count', models.PositiveBigIntegerField(default=0, verbose_name='requests')),
                ('first_used_at', models.DateTimeField(verbose_name='first use')),
                ('last_used_at', models.DateTimeField(verbose_name='last use')),
            ],
            options={
                'verbose_name': 'key usage',
                'verbose_name_plural': 'key usage',
                'ordering': ('key_id', 'scheme'),
                'constraints': [models.UniqueConstraint(fields=('key_id', 'scheme'), name='countermark_keyusage_key_scheme')],
            },
        ),
    ]
