# countermark 0.3: JWKS URLs users trust (asymmetric-jwt-auth's JWKSEndpointTrust). ska's single-use URLs need no table (cache.add).

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('countermark', '0004_key_usage'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='JwksEndpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('url', models.URLField(help_text='e.g. https://example.com/.well-known/jwks.json', max_length=2000, validators=[django.core.validators.URLValidator(schemes=['http', 'https'])], verbose_name='JWKS URL')),
                ('comment', models.CharField(blank=True, max_length=200, verbose_name='comment')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('last_used_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='last used')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='countermark_jwks_endpoints', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'JWKS endpoint',
                'verbose_name_plural': 'JWKS endpoints',
                'ordering': ('-created_at',),
                'constraints': [models.UniqueConstraint(fields=('user', 'url'), name='countermark_jwks_user_url')],
            },
        ),
    ]
