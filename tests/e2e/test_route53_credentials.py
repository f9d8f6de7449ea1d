"""Every AWS credential source driving the real binary against the Route 53
emulator: keys in the environment (every other test), web identity through
the STS stand-in, profiles in the shared files, the container endpoint and
IMDSv2. The credentials stand-in (tests/emulators/aws_creds.py) issues
fresh keys; the Route 53 emulator learns them from its control port, as
IAM would, and checks every signature with botocore."""
import json
import subprocess

from harness.fixtures_route53 import CONTAINER_TOKEN, ROLE_ARN

OWNER = "_smtp._tls.example.test"
RUA = "mailto:tls-reports@example.test"
REC = "v=TLSRPTv1; rua=" + RUA
NO_KEYS = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}


def publish(binary, sb, env, *domains):
    r = subprocess.run(
        [binary, "publish", "--provider", "route53", "--output", "json",
         "--rua", RUA, "--nameserver", sb.knot_addr, "--interval", "0.2",
         "--timeout", "15", "-v", *(domains or ("example.test",))],
        env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert all(x["action"] == "created" for x in doc["results"]), doc
    return r


def signed_only_by(sb, issued):
    """Every request the emulator accepted was signed with this issued
    key and its session token."""
    c = sb.control.counters()
    kid = issued["access_key_id"]
    assert c["signed_by:" + kid] == c["requests"]
    assert c["signed_with_session_token"] == c["requests"]
    assert sb.rrset(OWNER)["values"] == ['"%s"' % REC]
    assert sb.txt(OWNER) == [REC]


def sandbox(route53_factory, r53_creds, **kw):
    return route53_factory(key_service=r53_creds.url("control"), **kw)


def test_web_identity(binary, route53_factory, r53_creds):
    sb = sandbox(route53_factory, r53_creds, zones=["example.test",
                                                    "other.test"])
    env = sb.env(AWS_WEB_IDENTITY_TOKEN_FILE=r53_creds.token_file,
                 AWS_ROLE_ARN=ROLE_ARN, AWS_ROLE_SESSION_NAME="ci-run-1",
                 AWS_ENDPOINT_URL_STS=r53_creds.url("sts"), **NO_KEYS)
    r = publish(binary, sb, env, "example.test", "other.test")
    issued = r53_creds.issued()
    # Resolved once for the account, whatever the number of domains.
    assert [i["source"] for i in issued] == ["sts"]
    assert len(r53_creds.log("sts")) == 1
    signed_only_by(sb, issued[0])
    assert "web identity" in r.stderr
    # The web identity token never shows, nor do the issued secrets.
    assert "eyJhbGciOiJSUzI1NiJ9" not in r.stdout + r.stderr


def test_profile_keys(binary, route53_factory, r53_creds):
    sb = sandbox(route53_factory, r53_creds)
    creds = "%s/.aws/credentials" % sb.home
    with open(creds, "w") as f:
        f.write("[default]\naws_access_key_id = AKIAWRONGDEFAULT0000\n"
                "aws_secret_access_key = wrong\n\n[ci]\n"
                "aws_access_key_id = %s\naws_secret_access_key = %s\n"
                % (sb.key_id, sb.secret))
    env = sb.env(AWS_PROFILE="ci", **NO_KEYS)
    r = publish(binary, sb, env)
    c = sb.control.counters()
    assert c["signed_by:" + sb.key_id] == c["requests"]
    assert "profile 'ci'" in r.stderr
    # The profile named in the tool's config file works the same way.
    conf = "%s/config" % sb.home
    with open(conf, "w") as f:
        f.write('route53 = { profile = "ci"; };\n')
    r = subprocess.run(
        [binary, "plan", "--provider", "route53", "--config", conf,
         "--rua", "mailto:x@example.test", "--output", "json",
         "example.test"], env=sb.env(**NO_KEYS), capture_output=True,
        text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["results"][0]["action"] == "would-update"


def test_profile_web_identity(binary, route53_factory, r53_creds):
    sb = sandbox(route53_factory, r53_creds)
    with open("%s/.aws/config" % sb.home, "w") as f:
        f.write("[profile oidc]\nrole_arn = %s\nweb_identity_token_file = "
                "%s\nrole_session_name = from-profile\n"
                % (ROLE_ARN, r53_creds.token_file))
    env = sb.env(AWS_PROFILE="oidc",
                 AWS_ENDPOINT_URL_STS=r53_creds.url("sts"), **NO_KEYS)
    publish(binary, sb, env)
    issued = r53_creds.issued()
    assert [i["source"] for i in issued] == ["sts"]
    assert issued[0]["arn"].endswith("/from-profile")
    signed_only_by(sb, issued[0])


def test_container_endpoint(binary, route53_factory, r53_creds):
    sb = sandbox(route53_factory, r53_creds)
    env = sb.env(AWS_CONTAINER_CREDENTIALS_FULL_URI=r53_creds.url(
        "container", "/v2/credentials/task-1"),
        AWS_CONTAINER_AUTHORIZATION_TOKEN=CONTAINER_TOKEN, **NO_KEYS)
    r = publish(binary, sb, env)
    issued = r53_creds.issued()
    assert [i["source"] for i in issued] == ["container"]
    signed_only_by(sb, issued[0])
    log = r53_creds.log("container")
    assert len(log) == 1
    assert log[0]["headers"]["authorization"] == CONTAINER_TOKEN
    assert CONTAINER_TOKEN not in r.stdout + r.stderr


def test_imds_v2(binary, route53_factory, r53_creds):
    sb = sandbox(route53_factory, r53_creds)
    env = sb.env(AWS_EC2_METADATA_DISABLED=None,
                 AWS_EC2_METADATA_SERVICE_ENDPOINT=r53_creds.url("imds"),
                 **NO_KEYS)
    publish(binary, sb, env)
    issued = r53_creds.issued()
    assert [i["source"] for i in issued] == ["imds"]
    signed_only_by(sb, issued[0])
    log = r53_creds.log("imds")
    # A session token first, then every read with it (IMDSv2).
    assert log[0]["method"] == "PUT" and log[0]["path"] == \
        "/latest/api/token"
    assert all("x-aws-ec2-metadata-token" in e["headers"]
               for e in log[1:])


def test_expiring_credentials_are_refreshed(binary, route53_factory,
                                            r53_creds):
    # Credentials that expire in under five minutes are renewed before
    # the next signature rather than used until they fail.
    r53_creds.config(expiration_seconds=200)
    sb = sandbox(route53_factory, r53_creds)
    env = sb.env(AWS_WEB_IDENTITY_TOKEN_FILE=r53_creds.token_file,
                 AWS_ROLE_ARN=ROLE_ARN,
                 AWS_ENDPOINT_URL_STS=r53_creds.url("sts"), **NO_KEYS)
    publish(binary, sb, env)
    issued = r53_creds.issued()
    assert len(issued) >= 2
    c = sb.control.counters()
    assert sum(v for k, v in c.items() if k.startswith("signed_by:")) == \
        c["requests"]
    assert c["signed_by:" + issued[-1]["access_key_id"]] >= 1


def test_sts_refusal_stops_before_any_request(binary, route53_factory,
                                              r53_creds):
    sb = sandbox(route53_factory, r53_creds)
    env = sb.env(AWS_WEB_IDENTITY_TOKEN_FILE=r53_creds.token_file,
                 AWS_ROLE_ARN="arn:aws:iam::123456789012:role/not-mine",
                 AWS_ENDPOINT_URL_STS=r53_creds.url("sts"), **NO_KEYS)
    r = subprocess.run(
        [binary, "publish", "--provider", "route53", "--rua", RUA,
         "--nameserver", sb.knot_addr, "example.test"], env=env,
        capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "AccessDenied" in r.stderr
    assert sb.control.counters()["requests"] == 0
