"""The AWS credential chain end to end: every source against the
credentials stand-in (tests/emulators/aws_creds.py), and the credentials
each source yields used to sign an STS GetCallerIdentity that the stand-in
checks with botocore (so the session-token signature is proven too)."""
import hashlib
import json
import re
import subprocess
import time

from harness.fixtures_aws import (CONTAINER_TOKEN, ROLE_ARN, SESSION,
                                  STATIC, WEB_TOKEN)


def run(driver, env, *args, timeout=20):
    r = subprocess.run([driver, *args], env=env, capture_output=True,
                       text=True, timeout=timeout)
    try:
        out = json.loads(r.stdout)
    except ValueError:
        raise AssertionError("driver printed %r, stderr %r" %
                             (r.stdout, r.stderr))
    return r.returncode, out, r.stderr


def sha(s):
    return hashlib.sha256(s.encode()).hexdigest()


def check_issued(emu, out, source):
    issued = [i for i in emu.issued()
              if i["access_key_id"] == out["access_key_id"]]
    assert len(issued) == 1, emu.issued()
    i = issued[0]
    assert i["source"] == source
    assert out["secret_sha256"] == i["secret_sha256"]
    assert out["token_sha256"] == i["token_sha256"]
    want = time.strptime(i["expiration"], "%Y-%m-%dT%H:%M:%SZ")
    assert out["expiration"] == int(time.mktime(want) - time.timezone)
    return i


def web_env(emu, **kw):
    base = {"AWS_WEB_IDENTITY_TOKEN_FILE": emu.token_file,
            "AWS_ROLE_ARN": ROLE_ARN, "AWS_ENDPOINT_URL_STS": emu.url("sts")}
    base.update(kw)
    return emu.env(**base)


def test_env_keys_sign_and_stop_the_chain(aws_emu, aws_creds_driver):
    # Keys in the environment win over a profile and instance metadata,
    # and nothing is asked of the network to find them.
    aws_emu.write_aws("credentials", "[default]\naws_access_key_id = X\n"
                      "aws_secret_access_key = Y\n")
    env = aws_emu.env(AWS_ACCESS_KEY_ID=STATIC[0],
                      AWS_SECRET_ACCESS_KEY=STATIC[1],
                      AWS_EC2_METADATA_DISABLED=None,
                      AWS_EC2_METADATA_SERVICE_ENDPOINT=aws_emu.url("imds"),
                      AWS_ENDPOINT_URL_STS=aws_emu.url("sts"))
    rc, out, err = run(aws_creds_driver, env, "--identity")
    assert rc == 0, (out, err)
    assert out["source"] == "AWS_ACCESS_KEY_ID"
    assert out["access_key_id"] == STATIC[0]
    assert out["secret_sha256"] == sha(STATIC[1])
    assert out["token_sha256"] is None
    assert out["identity"] == {"status": 200,
                               "arn": "arn:aws:iam::123456789012:user/static"}
    assert [e["service"] for e in aws_emu.log()] == ["sts"]


def test_session_token_is_signed(aws_emu, aws_creds_driver):
    env = aws_emu.env(AWS_ACCESS_KEY_ID=SESSION[0],
                      AWS_SECRET_ACCESS_KEY=SESSION[1],
                      AWS_SESSION_TOKEN=SESSION[2],
                      AWS_ENDPOINT_URL=aws_emu.url("sts"))
    rc, out, err = run(aws_creds_driver, env, "--identity")
    assert rc == 0, (out, err)
    assert out["identity"]["status"] == 200, out
    (req,) = aws_emu.log("sts")
    assert req["headers"]["x-amz-security-token"] == SESSION[2]
    assert "x-amz-security-token" in req["headers"]["authorization"]
    # The wrong token is refused by the verifier: the check can fail.
    env["AWS_SESSION_TOKEN"] = "not-the-token"
    rc, out, err = run(aws_creds_driver, env, "--identity")
    assert rc == 0
    assert out["identity"]["status"] == 403
    assert out["identity"]["code"] == "InvalidClientTokenId"


def test_wrong_secret_fails_signature(aws_emu, aws_creds_driver):
    env = aws_emu.env(AWS_ACCESS_KEY_ID=STATIC[0],
                      AWS_SECRET_ACCESS_KEY="wrong",
                      AWS_ENDPOINT_URL_STS=aws_emu.url("sts"))
    rc, out, err = run(aws_creds_driver, env, "--identity")
    assert out["identity"]["status"] == 403
    assert out["identity"]["code"] == "SignatureDoesNotMatch"


def test_web_identity_from_environment(aws_emu, aws_creds_driver):
    env = web_env(aws_emu, AWS_ROLE_SESSION_NAME="gha-run-42")
    rc, out, err = run(aws_creds_driver, env, "--identity")
    assert rc == 0, (out, err)
    i = check_issued(aws_emu, out, "sts")
    assert i["arn"].endswith("assumed-role/tlsrpt-ci/gha-run-42")
    assert "web identity for role '%s'" % ROLE_ARN in out["source"]
    assert out["identity"] == {"status": 200, "arn": i["arn"]}
    assume, ident = aws_emu.log("sts")
    # AssumeRoleWithWebIdentity is unsigned; the identity call is signed
    # with the session it returned.
    assert "authorization" not in assume["headers"]
    assert assume["headers"]["content-type"].startswith(
        "application/x-www-form-urlencoded")
    assert ident["headers"]["x-amz-security-token"]


def test_web_identity_default_session_name(aws_emu, aws_creds_driver):
    rc, out, err = run(aws_creds_driver, web_env(aws_emu))
    assert rc == 0, (out, err)
    assert "/tlsrpt-publish-" in check_issued(aws_emu, out, "sts")["arn"]


def test_web_identity_refused_role(aws_emu, aws_creds_driver):
    env = web_env(aws_emu, AWS_ROLE_ARN="arn:aws:iam::123456789012:role/x")
    rc, out, err = run(aws_creds_driver, env)
    assert rc == 1
    assert out["kind"] == "auth"
    assert "AccessDenied" in out["error"]
    assert "arn:aws:iam::123456789012:role/x" in out["error"]
    assert "trust policy" in out["error"]


def test_web_identity_bad_token(aws_emu, aws_creds_driver, tmp_path):
    bad = tmp_path / "token"
    bad.write_text("eyJ.not-the-token.sig")
    env = web_env(aws_emu, AWS_WEB_IDENTITY_TOKEN_FILE=str(bad))
    rc, out, err = run(aws_creds_driver, env)
    assert rc == 1
    assert "InvalidIdentityToken" in out["error"]
    assert "eyJ.not-the-token" not in out["error"]


def test_web_identity_retries_idp_errors(aws_emu, aws_creds_driver):
    aws_emu.config(sts_idp_errors=2)
    rc, out, err = run(aws_creds_driver, web_env(aws_emu))
    assert rc == 0, (out, err)
    assert len(aws_emu.log("sts")) == 3
    # When the issuer stays unreachable, STS's own words are reported.
    aws_emu.config(sts_idp_errors=100)
    rc, out, err = run(aws_creds_driver, web_env(aws_emu))
    assert rc == 1
    assert out["kind"] == "network"
    assert "IDPCommunicationError" in out["error"]


def test_web_identity_bad_session_name_is_config(aws_emu, aws_creds_driver):
    env = web_env(aws_emu, AWS_ROLE_SESSION_NAME="has space")
    rc, out, err = run(aws_creds_driver, env)
    assert rc == 2
    assert out["kind"] == "config"
    assert aws_emu.log() == []


def test_web_identity_wrong_ca_is_refused(aws_emu, aws_creds_driver):
    env = web_env(aws_emu, CURL_CA_BUNDLE=aws_emu.ca.replace(
        "ca.pem", "other-ca.pem"))
    rc, out, err = run(aws_creds_driver, env)
    assert rc == 1
    assert out["kind"] == "network"
    assert aws_emu.issued() == []


def test_profile_web_identity(aws_emu, aws_creds_driver):
    aws_emu.write_aws("config",
                      "[profile ci]\nrole_arn = %s\n"
                      "web_identity_token_file = %s\n"
                      "role_session_name = from-profile\n"
                      "region = eu-west-1\n" % (ROLE_ARN, aws_emu.token_file))
    env = aws_emu.env(AWS_PROFILE="ci", AWS_ENDPOINT_URL=aws_emu.url("sts"))
    rc, out, err = run(aws_creds_driver, env, "--identity")
    assert rc == 0, (out, err)
    assert "profile 'ci'" in out["source"]
    i = check_issued(aws_emu, out, "sts")
    assert i["arn"].endswith("/from-profile")
    # Signed for the profile's region, as a regional endpoint wants.
    ident = aws_emu.log("sts")[-1]
    assert "/eu-west-1/sts/aws4_request" in ident["headers"]["authorization"]
    assert out["identity"]["status"] == 403  # stand-in expects us-east-1
    assert out["identity"]["code"] == "SignatureDoesNotMatch"


def test_shared_credentials_profile(aws_emu, aws_creds_driver):
    aws_emu.write_aws("credentials",
                      "[default]\naws_access_key_id = WRONG\n"
                      "aws_secret_access_key = WRONG\n"
                      "[static]\naws_access_key_id = %s\n"
                      "aws_secret_access_key = %s\n" % STATIC)
    env = aws_emu.env(AWS_PROFILE="static",
                      AWS_ENDPOINT_URL_STS=aws_emu.url("sts"))
    rc, out, err = run(aws_creds_driver, env, "--identity")
    assert rc == 0, (out, err)
    assert out["access_key_id"] == STATIC[0]
    assert out["identity"]["status"] == 200


def test_container_relative_uri_with_token_file(aws_emu, aws_creds_driver,
                                                tmp_path):
    tok = tmp_path / "auth"
    tok.write_text(CONTAINER_TOKEN + "\n")
    env = aws_emu.env(
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI="/v2/credentials/task-1",
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=str(tok),
        TLSRPT_TEST_CONTAINER_BASE=aws_emu.url("container", ""),
        AWS_ENDPOINT_URL_STS=aws_emu.url("sts"))
    rc, out, err = run(aws_creds_driver, env, "--identity")
    assert rc == 0, (out, err)
    i = check_issued(aws_emu, out, "container")
    assert out["identity"] == {"status": 200, "arn": i["arn"]}
    (req,) = aws_emu.log("container")
    assert req["headers"]["authorization"] == CONTAINER_TOKEN


def test_container_full_uri(aws_emu, aws_creds_driver):
    env = aws_emu.env(
        AWS_CONTAINER_CREDENTIALS_FULL_URI=aws_emu.url(
            "container", "/v2/credentials/task-1"),
        AWS_CONTAINER_AUTHORIZATION_TOKEN=CONTAINER_TOKEN)
    rc, out, err = run(aws_creds_driver, env)
    assert rc == 0, (out, err)
    check_issued(aws_emu, out, "container")
    env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "wrong"
    rc, out, err = run(aws_creds_driver, env)
    assert rc == 1
    assert out["kind"] == "auth"
    assert "HTTP 401" in out["error"]


def imds_env(emu, **kw):
    base = {"AWS_EC2_METADATA_DISABLED": None,
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": emu.url("imds")}
    base.update(kw)
    return emu.env(**base)


def test_imds_v2(aws_emu, aws_creds_driver):
    env = imds_env(aws_emu, AWS_ENDPOINT_URL_STS=aws_emu.url("sts"))
    rc, out, err = run(aws_creds_driver, env, "--identity")
    assert rc == 0, (out, err)
    i = check_issued(aws_emu, out, "imds")
    assert out["identity"] == {"status": 200, "arn": i["arn"]}
    put, role, creds = aws_emu.log("imds")
    assert (put["method"], put["path"]) == ("PUT", "/latest/api/token")
    assert put["headers"]["x-aws-ec2-metadata-token-ttl-seconds"] == "21600"
    tok = role["headers"]["x-aws-ec2-metadata-token"]
    assert creds["headers"]["x-aws-ec2-metadata-token"] == tok
    assert creds["path"].endswith("/security-credentials/"
                                  "tlsrpt-instance-role")


def test_imds_v1_fallback_and_its_off_switch(aws_emu, aws_creds_driver):
    aws_emu.config(imds_mode="v1only")
    rc, out, err = run(aws_creds_driver, imds_env(aws_emu))
    assert rc == 0, (out, err)
    check_issued(aws_emu, out, "imds")
    assert all("x-aws-ec2-metadata-token" not in e["headers"]
               for e in aws_emu.log("imds")[1:])
    rc, out, err = run(aws_creds_driver, imds_env(
        aws_emu, AWS_EC2_METADATA_V1_DISABLED="true"))
    assert rc == 2
    assert "AWS_EC2_METADATA_V1_DISABLED" in out["error"]


def test_imds_no_role_lists_every_source(aws_emu, aws_creds_driver):
    aws_emu.config(imds_role=None)
    rc, out, err = run(aws_creds_driver, imds_env(aws_emu))
    assert rc == 2
    assert out["kind"] == "config"
    for reason in ("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set",
                   "AWS_WEB_IDENTITY_TOKEN_FILE not set",
                   "no [default] profile",
                   "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                   "no IAM role attached"):
        assert reason in out["error"], out["error"]


def test_imds_unreachable_is_skipped_fast(aws_emu, aws_creds_driver):
    # A closed port: what a laptop sees (or a 1 s timeout, at worst).
    env = aws_emu.env(AWS_EC2_METADATA_DISABLED=None,
                      AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:9")
    t = time.monotonic()
    rc, out, err = run(aws_creds_driver, env)
    assert time.monotonic() - t < 5
    assert rc == 2
    assert "instance metadata: no answer from http://127.0.0.1:9" in \
        out["error"]


def test_debug_output_never_shows_secrets(aws_emu, aws_creds_driver):
    # Every network source in one run each, at debug level: the dump
    # shows the requests but none of the keys, tokens or bodies.
    runs = [web_env(aws_emu), imds_env(aws_emu),
            aws_emu.env(AWS_CONTAINER_CREDENTIALS_FULL_URI=aws_emu.url(
                "container", "/v2/credentials/task-1"),
                AWS_CONTAINER_AUTHORIZATION_TOKEN=CONTAINER_TOKEN)]
    logs = ""
    for env in runs:
        env["TLSRPT_TEST_DEBUG"] = "1"
        env["AWS_ENDPOINT_URL_STS"] = aws_emu.url("sts")
        rc, out, err = run(aws_creds_driver, env, "--identity")
        assert rc == 0, (out, err)
        assert out["identity"]["status"] == 200
        logs += err
    # The requests are there (so the check below looks at real dumps).
    assert "PUT http://127.0.0.1" in logs, logs
    assert "POST https://127.0.0.1" in logs, logs
    # No run of token characters in the output is an issued secret or
    # session token (the stand-in keeps only their hashes).
    hashes = set()
    for i in aws_emu.issued():
        hashes |= {i["secret_sha256"], i["token_sha256"]}
    assert len(hashes) == 6
    for word in re.findall(r"[A-Za-z0-9_+/=-]{16,}", logs):
        assert sha(word) not in hashes, "a secret leaked into the log"
    # Nor anything the client sent as a credential.
    for entry in aws_emu.log():
        for k, v in entry["headers"].items():
            if k in ("authorization", "x-amz-security-token",
                     "x-aws-ec2-metadata-token"):
                assert v not in logs, k
                assert v.split("Signature=")[-1] not in logs, k
    assert WEB_TOKEN not in logs
    assert CONTAINER_TOKEN not in logs
