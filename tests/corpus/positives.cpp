// Positive samples: realistic files with planted (fake, random) credentials.
#include "corpus.hpp"
#include "harness.hpp"

#include <functional>

namespace ks::corpus {

using Vars = std::vector<std::pair<std::string, std::string>>;

std::string fill(std::string t, const Vars& vars) {
    for (const auto& [k, v] : vars) {
        const std::string key = "{{" + k + "}}";
        for (std::size_t p = t.find(key); p != std::string::npos; p = t.find(key, p + v.size())) t.replace(p, key.size(), v);
    }
    return t;
}

namespace {

using Make = std::function<Sample(Gen&)>;

Sample S(std::string family, std::string path, std::string text, std::vector<std::string> secrets) {
    return Sample{std::move(family), std::move(path), std::move(text), std::move(secrets)};
}

// ---------------------------------------------------------------------------------------------------
std::vector<Make> dotfiles() {
    const std::string F = "dotfiles";
    return {
        [F](Gen& g) {
            std::string a = g.hex(32), b = g.password(16);
            return S(F, "home/" + g.user() + "/.netrc",
                     fill("machine api.heroku.com\n  login ops@{{w}}.io\n  password {{a}}\nmachine git.heroku.com\n  login ops@{{w}}.io\n  password {{a}}\nmachine ftp.{{w}}-backup.net login backup password {{b}}\n",
                          {{"a", a}, {"b", b}, {"w", g.word()}}),
                     {a, b});
        },
        [F](Gen& g) {
            std::string p = g.password(18);
            return S(F, "home/dba/.pgpass",
                     fill("# {{w}} read replica\n{{h}}:5432:{{w}}:report_ro:{{p}}\nlocalhost:5432:*:postgres:postgres\n", {{"h", g.host()}, {"w", g.word()}, {"p", p}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = g.password(20);
            return S(F, "home/backup/.my.cnf",
                     fill("[client]\nuser=backup\npassword={{p}}\nhost={{h}}\n\n[mysqldump]\nsingle-transaction\nquick\n", {{"p", p}, {"h", g.host()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string t = g.b64(48);
            return S(F, g.word() + "-web/.npmrc",
                     fill("@{{w}}:registry=https://npm.pkg.{{w}}.io/\n//npm.pkg.{{w}}.io/:_authToken={{t}}\nalways-auth=true\nengine-strict=true\n", {{"w", g.word()}, {"t", t}}),
                     {t});
        },
        [F](Gen& g) {
            std::string up = "ci:" + g.password(16);
            return S(F, ".npmrc",
                     fill("registry=https://nexus.{{w}}.io/repository/npm-group/\n_auth={{a}}\nemail=ci@{{w}}.io\nalways-auth=true\n", {{"w", g.word()}, {"a", base64(up)}}),
                     {up});
        },
        [F](Gen& g) {
            std::string p = g.password(18);
            return S(F, "home/rel/.pypirc",
                     fill("[distutils]\nindex-servers =\n    internal\n\n[internal]\nrepository = https://pypi.{{w}}.io/simple/\nusername = release-bot\npassword = {{p}}\n", {{"w", g.word()}, {"p", p}}),
                     {p});
        },
        [F](Gen& g) {
            std::string up = g.user() + ":" + g.password(20);
            return S(F, "home/ci/.docker/config.json",
                     fill("{\n\t\"auths\": {\n\t\t\"registry.{{w}}.io\": {\n\t\t\t\"auth\": \"{{a}}\"\n\t\t}\n\t},\n\t\"HttpHeaders\": {\n\t\t\"User-Agent\": \"Docker-Client/24.0.7 (linux)\"\n\t}\n}\n",
                          {{"w", g.word()}, {"a", base64(up)}}),
                     {up});
        },
        [F](Gen& g) {
            std::string id = test::fake_aws_key_id(unsigned(g.pick(100000))), sec = test::fake_aws_secret(unsigned(g.pick(100000)));
            return S(F, "home/ops/.aws/credentials",
                     fill("[default]\naws_access_key_id = {{i}}\naws_secret_access_key = {{s}}\nregion = eu-west-1\n\n[{{w}}-prod]\nrole_arn = arn:aws:iam::123456789012:role/deploy\nsource_profile = default\n", {{"i", id}, {"s", sec}, {"w", g.word()}}),
                     {id, sec});
        },
        [F](Gen& g) {
            std::string s = g.b64(40);
            return S(F, "home/ops/.s3cfg",
                     fill("[default]\naccess_key = {{a}}\nsecret_key = {{s}}\nhost_base = s3.{{w}}-storage.io\nhost_bucket = %(bucket)s.s3.{{w}}-storage.io\nuse_https = True\n", {{"a", g.upper_hex(20)}, {"s", s}, {"w", g.word()}}),
                     {s});
        },
        [F](Gen& g) {
            std::string p = g.alnum(32);
            return S(F, "home/ci/.git-credentials", fill("https://{{u}}:{{p}}@git.{{w}}.io\n", {{"u", g.user()}, {"p", p}, {"w", g.word()}}), {p});
        },
        [F](Gen& g) {
            std::string t = g.alnum(40);
            return S(F, "home/dev/.cargo/credentials.toml", fill("[registries.{{w}}]\ntoken = \"{{t}}\"\n", {{"w", g.word()}, {"t", t}}), {t});
        },
        [F](Gen& g) {
            std::string p = g.hex(40);
            return S(F, "auth.json",
                     fill("{\n    \"http-basic\": {\n        \"repo.packagist.com\": {\n            \"username\": \"token\",\n            \"password\": \"{{p}}\"\n        }\n    }\n}\n", {{"p", p}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = g.password(18);
            return S(F, "home/ci/.m2/settings.xml",
                     fill("<settings xmlns=\"http://maven.apache.org/SETTINGS/1.0.0\">\n  <servers>\n    <server>\n      <id>{{w}}-releases</id>\n      <username>deployment</username>\n      <password>{{p}}</password>\n    </server>\n  </servers>\n  <mirrors>\n    <mirror>\n      <id>nexus</id>\n      <mirrorOf>*</mirrorOf>\n      <url>https://nexus.{{w}}.io/repository/maven-public/</url>\n    </mirror>\n  </mirrors>\n</settings>\n", {{"p", p}, {"w", g.word()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = g.alnum(52);
            return S(F, "NuGet.config",
                     fill("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <packageSources>\n    <add key=\"{{w}}\" value=\"https://pkgs.{{w}}.io/nuget/v3/index.json\" />\n  </packageSources>\n  <packageSourceCredentials>\n    <{{w}}>\n      <add key=\"Username\" value=\"build\" />\n      <add key=\"ClearTextPassword\" value=\"{{p}}\" />\n    </{{w}}>\n  </packageSourceCredentials>\n</configuration>\n", {{"w", g.word()}, {"p", p}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = g.password(20);
            return S(F, "gradle.properties",
                     fill("org.gradle.jvmargs=-Xmx2g -Dfile.encoding=UTF-8\norg.gradle.parallel=true\nossrhUsername={{w}}-release\nossrhPassword={{p}}\n", {{"w", g.word()}, {"p", p}}),
                     {p});
        },
        [F](Gen& g) {
            std::string t = g.alnum(48);
            return S(F, "home/ops/.kube/config",
                     fill("apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: {{ca}}\n    server: https://k8s.{{w}}.io:6443\n  name: prod\ncontexts:\n- context:\n    cluster: prod\n    user: deployer\n  name: prod\ncurrent-context: prod\nusers:\n- name: deployer\n  user:\n    token: {{t}}\n",
                          {{"w", g.word()}, {"t", t}, {"ca", base64("certificate bytes " + g.alnum(24))}}),
                     {t});
        },
        [F](Gen& g) {
            std::string t = g.b64(44);
            return S(F, ".yarnrc.yml", fill("nodeLinker: node-modules\nnpmScopes:\n  {{w}}:\n    npmRegistryServer: \"https://npm.{{w}}.io\"\n    npmAuthToken: {{t}}\nyarnPath: .yarn/releases/yarn-4.1.0.cjs\n", {{"w", g.word()}, {"t", t}}), {t});
        },
    };
}

// ---------------------------------------------------------------------------------------------------
std::vector<Make> shell() {
    const std::string F = "shell";
    return {
        [F](Gen& g) {
            std::string a = g.password(14), b = g.password(16);
            return S(F, "home/" + g.user() + "/.bash_history",
                     fill("ls -la\ncd /srv/{{w}}\ngit pull\nmysqldump -u root -p{{a}} --all-databases | gzip > /backup/all.sql.gz\nsudo systemctl restart nginx\ncurl -sS -u deploy:{{b}} https://nexus.{{w}}.io/service/rest/v1/status\nexit\n", {{"a", a}, {"b", b}, {"w", g.word()}}),
                     {a, b});
        },
        [F](Gen& g) {
            std::string t = g.alnum(40), p = g.password(16);
            return S(F, "home/" + g.user() + "/.zshrc",
                     fill("export ZSH=\"$HOME/.oh-my-zsh\"\nZSH_THEME=\"robbyrussell\"\nplugins=(git docker kubectl)\nsource $ZSH/oh-my-zsh.sh\n\nexport PATH=$HOME/bin:$PATH\nexport {{W}}_API_TOKEN={{t}}\nexport DB_PASSWORD='{{p}}'\nalias k=kubectl\n", {{"W", "ACME"}, {"t", t}, {"p", p}}),
                     {t, p});
        },
        [F](Gen& g) {
            std::string p = g.password(14);
            return S(F, "scripts/restore-db.sh",
                     fill("#!/usr/bin/env bash\nset -euo pipefail\n\nPGPASSWORD={{p}} pg_dump -h {{h}} -U app {{w}} > /tmp/{{w}}.sql\necho done\n", {{"p", p}, {"h", g.host()}, {"w", g.word()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = g.password(14);
            return S(F, "ops/provision.sh",
                     fill("#!/bin/sh\n# bootstrap a build agent\napt-get update\napt-get install -y sshpass\nsshpass -p '{{p}}' ssh -o StrictHostKeyChecking=no root@{{ip}} 'uptime'\n", {{"p", p}, {"ip", g.ip()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = g.alnum(24);
            return S(F, ".gitlab-ci/release.sh",
                     fill("#!/bin/bash\nset -e\ndocker login -u {{w}}bot -p {{p}} registry.{{w}}.io\ndocker build -t registry.{{w}}.io/{{w}}/api:$CI_COMMIT_SHA .\ndocker push registry.{{w}}.io/{{w}}/api:$CI_COMMIT_SHA\n", {{"p", p}, {"w", g.word()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string t = g.alnum(48);
            return S(F, "scripts/sync-orders.sh",
                     fill("#!/bin/bash\ncurl -fsS \\\n  -H \"Authorization: Bearer {{t}}\" \\\n  -H 'Accept: application/json' \\\n  https://api.{{w}}.io/v2/orders?since=$(date -d yesterday +%F) > orders.json\n", {{"t", t}, {"w", g.word()}}),
                     {t});
        },
        [F](Gen& g) {
            std::string k = g.alnum(32);
            return S(F, "tools/quote.sh", fill("#!/bin/sh\ncurl -s -H 'X-API-Key: {{k}}' \"https://partner.{{w}}.io/v1/quotes?sku=$1\"\n", {{"k", k}, {"w", g.word()}}), {k});
        },
        [F](Gen& g) {
            std::string up = "svc-metrics:" + g.password(18);
            return S(F, "scripts/probe.sh",
                     fill("#!/bin/sh\ncurl -fsS -H 'Authorization: Basic {{a}}' https://metrics.{{w}}.io/api/v1/query?query=up\n", {{"a", base64(up)}, {"w", g.word()}}),
                     {up});
        },
        [F](Gen& g) {
            std::string p = g.password(16);
            return S(F, "home/ops/.bash_history",
                     fill("kubectl get pods -n {{w}}\nredis-cli -h {{h}} -a {{p}} INFO replication\nhtop\n", {{"p", p}, {"h", g.host()}, {"w", g.word()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string a = g.password(14), b = g.alnum(16);
            return S(F, "android/sign.sh",
                     fill("#!/bin/bash\nkeytool -importkeystore -srckeystore {{w}}.p12 -srcstoretype PKCS12 -srcstorepass {{a}} -destkeystore {{w}}.jks\nopenssl pkcs12 -export -in {{w}}.crt -inkey {{w}}.key -out {{w}}.p12 -passout pass:{{b}}\n", {{"a", a}, {"b", b}, {"w", g.word()}}),
                     {a, b});
        },
        [F](Gen& g) {
            std::string p = g.password(16);
            return S(F, "home/ops/.config/fish/config.fish",
                     fill("set -gx EDITOR vim\nset -gx OPENSEARCH_PASSWORD {{p}}\nfish_add_path ~/.local/bin\n", {{"p", p}}), {p});
        },
        [F](Gen& g) {
            std::string p = g.password(16);
            return S(F, "scripts/ldap-export.sh",
                     fill("#!/bin/sh\nldapsearch -x -H ldaps://ldap.{{w}}.io -D cn=admin,dc={{w}},dc=io -w {{p}} -b dc={{w}},dc=io '(objectClass=person)' > people.ldif\n", {{"p", p}, {"w", g.word()}}),
                     {p});
        },
    };
}

// ---------------------------------------------------------------------------------------------------
std::vector<Make> ftp() {
    const std::string F = "ftp";
    return {
        [F](Gen& g) {
            std::string p = g.password(14);
            return S(F, "AppData/Roaming/FileZilla/sitemanager.xml",
                     fill("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\" ?>\n<FileZilla3 version=\"3.66.4\" platform=\"windows\">\n    <Servers>\n        <Server>\n            <Host>ftp.{{w}}-hosting.net</Host>\n            <Port>21</Port>\n            <Protocol>0</Protocol>\n            <Type>0</Type>\n            <User>{{w}}web</User>\n            <Pass encoding=\"base64\">{{a}}</Pass>\n            <Logontype>1</Logontype>\n            <PasvMode>MODE_DEFAULT</PasvMode>\n            <Name>{{w}} production</Name>\n            <SyncBrowsing>0</SyncBrowsing>\n        </Server>\n    </Servers>\n</FileZilla3>\n", {{"a", base64(p)}, {"w", g.word()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = g.password(12);
            return S(F, "recentservers.xml",
                     fill("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FileZilla3>\n  <RecentServers>\n    <Server>\n      <Host>{{ip}}</Host>\n      <Port>22</Port>\n      <Protocol>1</Protocol>\n      <Type>0</Type>\n      <User>deploy</User>\n      <Pass>{{p}}</Pass>\n      <Logontype>1</Logontype>\n    </Server>\n  </RecentServers>\n</FileZilla3>\n", {{"p", p}, {"ip", g.ip()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = "A35C" + g.upper_hex(76);
            return S(F, "WinSCP.ini",
                     fill("[Configuration\\Interface]\nRandomSeedFile=%APPDATA%\\winscp.rnd\n\n[Sessions\\deploy@web01.{{w}}.io]\nHostName=web01.{{w}}.io\nUserName=deploy\nPassword={{p}}\nFSProtocol=2\n", {{"p", p}, {"w", g.word()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = g.password(16);
            return S(F, "sftp-config.json",
                     fill("{\n    // The tab key will cycle through the settings when first created\n    \"type\": \"sftp\",\n\n    \"save_before_upload\": true,\n    \"upload_on_save\": true,\n    \"sync_down_on_open\": false,\n\n    \"host\": \"web02.{{w}}.io\",\n    \"user\": \"www-data\",\n    \"password\": \"{{p}}\",\n    \"port\": \"22\",\n\n    \"remote_path\": \"/var/www/{{w}}/\",\n    \"ignore_regexes\": [\"\\\\.sublime-(project|workspace)\", \"sftp-config(-alt\\\\d?)?\\\\.json\"],\n    \"connect_timeout\": 30\n}\n", {{"p", p}, {"w", g.word()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = g.alnum(20);
            return S(F, ".vscode/sftp.json",
                     fill("{\n  \"name\": \"staging\",\n  \"host\": \"staging.{{w}}.io\",\n  \"protocol\": \"sftp\",\n  \"port\": 22,\n  \"username\": \"deploy\",\n  \"password\": \"{{p}}\",\n  \"remotePath\": \"/srv/app\",\n  \"uploadOnSave\": true\n}\n", {{"p", p}, {"w", g.word()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = g.password(14);
            return S(F, "deploy/mirror.lftp",
                     fill("set ssl:verify-certificate no\nopen -u deploy,{{p}} ftp.{{w}}-hosting.net\nmirror -R --delete dist /public_html\nquit\n", {{"p", p}, {"w", g.word()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string s = g.b64(40);
            return S(F, "home/ops/.config/rclone/rclone.conf",
                     fill("[backup-s3]\ntype = s3\nprovider = Other\naccess_key_id = {{a}}\nsecret_access_key = {{s}}\nendpoint = https://s3.{{w}}-storage.io\n", {{"a", g.upper_hex(20)}, {"s", s}, {"w", g.word()}}),
                     {s});
        },
        [F](Gen& g) {
            std::string p = g.password(16);
            return S(F, ".ftpconfig",
                     fill("{\n    \"protocol\": \"ftp\",\n    \"host\": \"ftp.{{w}}.io\",\n    \"port\": 21,\n    \"user\": \"{{w}}\",\n    \"pass\": \"{{p}}\",\n    \"promptForPass\": false,\n    \"remote\": \"/\"\n}\n", {{"p", p}, {"w", g.word()}}),
                     {p});
        },
    };
}

// ---------------------------------------------------------------------------------------------------
std::vector<Make> app_config() {
    const std::string F = "app-config";
    auto salt = [](Gen& g) { return g.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!@#%^&*()-_=+[]{}|;:,.<>/?~`", 64); };
    return {
        [F, salt](Gen& g) {
            std::string p = g.password(16);
            std::vector<std::string> salts;
            std::string defs;
            for (const char* n : {"AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"}) {
                std::string s;
                do s = salt(g); while (s.find('\'') != std::string::npos);
                salts.push_back(s);
                char buf[256];
                std::snprintf(buf, sizeof buf, "define( '%s',%*s'%s' );\n", n, int(18 - std::string(n).size()), "", s.c_str());
                defs += buf;
            }
            std::string text = fill("<?php\n/**\n * The base configuration for WordPress\n *\n * @package WordPress\n */\n\n// ** Database settings - You can get this info from your web host ** //\n/** The name of the database for WordPress */\ndefine( 'DB_NAME', '{{w}}_wp' );\n\n/** Database username */\ndefine( 'DB_USER', '{{w}}_wp' );\n\n/** Database password */\ndefine( 'DB_PASSWORD', '{{p}}' );\n\n/** Database hostname */\ndefine( 'DB_HOST', 'localhost' );\n\ndefine( 'DB_CHARSET', 'utf8mb4' );\ndefine( 'DB_COLLATE', '' );\n\n/**#@+\n * Authentication unique keys and salts.\n */\n{{defs}}\n/**#@-*/\n\n$table_prefix = 'wp_';\n\ndefine( 'WP_DEBUG', false );\n\nif ( ! defined( 'ABSPATH' ) ) {\n\tdefine( 'ABSPATH', __DIR__ . '/' );\n}\n\nrequire_once ABSPATH . 'wp-settings.php';\n", {{"w", g.word()}, {"p", p}, {"defs", defs}});
            salts.insert(salts.begin(), p);
            return S(F, "wp-config.php", text, salts);
        },
        [F](Gen& g) {
            std::string p = g.password(16);
            return S(F, "includes/config.php",
                     fill("<?php\n// database connection\n$db_host = 'localhost';\n$db_user = '{{w}}';\n$db_pass = '{{p}}';\n$db_name = '{{w}}';\n\n$conn = mysqli_connect($db_host, $db_user, $db_pass, $db_name);\n", {{"p", p}, {"w", g.word()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = g.password(18);
            return S(F, "sites/default/settings.php",
                     fill("<?php\n\n$databases['default']['default'] = [\n  'database' => '{{w}}',\n  'username' => '{{w}}',\n  'password' => '{{p}}',\n  'prefix' => '',\n  'host' => 'db',\n  'port' => '3306',\n  'driver' => 'mysql',\n];\n$settings['config_sync_directory'] = '../config/sync';\n", {{"p", p}, {"w", g.word()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = g.password(18);
            return S(F, "config/database.yml",
                     fill("default: &default\n  adapter: postgresql\n  encoding: unicode\n  pool: <%= ENV.fetch(\"RAILS_MAX_THREADS\") { 5 } %>\n\ndevelopment:\n  <<: *default\n  database: {{w}}_development\n\nproduction:\n  <<: *default\n  database: {{w}}_production\n  username: {{w}}\n  password: {{p}}\n  host: {{h}}\n", {{"p", p}, {"w", g.word()}, {"h", g.host()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string k = g.hex(128);
            return S(F, "config/secrets.yml", fill("development:\n  secret_key_base: <%= ENV[\"SECRET_KEY_BASE\"] %>\n\nproduction:\n  secret_key_base: {{k}}\n", {{"k", k}}), {k});
        },
        [F](Gen& g) {
            std::string k = "django-insecure-" + g.chars("abcdefghijklmnopqrstuvwxyz0123456789!@#%^&*(-_=+)", 50), p = g.password(16), e = g.password(14);
            return S(F, g.word() + "/settings.py",
                     fill("\"\"\"\nDjango settings for {{w}} project.\n\"\"\"\nfrom pathlib import Path\n\nBASE_DIR = Path(__file__).resolve().parent.parent\n\n# SECURITY WARNING: keep the secret key used in production secret!\nSECRET_KEY = '{{k}}'\n\nDEBUG = False\nALLOWED_HOSTS = ['{{w}}.io']\n\nDATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.postgresql',\n        'NAME': '{{w}}',\n        'USER': '{{w}}',\n        'PASSWORD': '{{p}}',\n        'HOST': '{{h}}',\n        'PORT': '5432',\n    }\n}\n\nEMAIL_HOST = 'smtp.{{w}}.io'\nEMAIL_HOST_USER = 'noreply@{{w}}.io'\nEMAIL_HOST_PASSWORD = '{{e}}'\n",
                          {{"k", k}, {"p", p}, {"e", e}, {"w", g.word()}, {"h", g.host()}}),
                     {k, p, e});
        },
        [F](Gen& g) {
            std::string k = g.alnum(32);
            return S(F, "app/__init__.py", fill("from flask import Flask\n\napp = Flask(__name__)\napp.secret_key = '{{k}}'\n\nfrom app import routes\n", {{"k", k}}), {k});
        },
        [F](Gen& g) {
            std::string p = g.password(16), j = g.b64(48);
            return S(F, "src/main/resources/application.properties",
                     fill("spring.application.name={{w}}\nserver.port=8080\nspring.datasource.url=jdbc:postgresql://{{h}}:5432/{{w}}\nspring.datasource.username={{w}}\nspring.datasource.password={{p}}\nspring.jpa.hibernate.ddl-auto=validate\n{{w}}.jwt.secret={{j}}\n{{w}}.jwt.expiration=86400\n", {{"p", p}, {"j", j}, {"w", g.word()}, {"h", g.host()}}),
                     {p, j});
        },
        [F](Gen& g) {
            std::string p = g.password(16), c = g.alnum(32);
            return S(F, "src/main/resources/application-prod.yml",
                     fill("spring:\n  datasource:\n    url: jdbc:mysql://{{h}}:3306/shop\n    username: shop\n    password: {{p}}\n  security:\n    oauth2:\n      client:\n        registration:\n          keycloak:\n            client-id: {{w}}\n            client-secret: {{c}}\nlogging:\n  level:\n    root: INFO\n", {{"p", p}, {"c", c}, {"w", g.word()}, {"h", g.host()}}),
                     {p, c});
        },
        [F](Gen& g) {
            std::string k = "base64:" + base64(g.alnum(32)), p = g.password(16), m = g.alnum(24);
            return S(F, ".env",
                     fill("APP_NAME={{W}}\nAPP_ENV=production\nAPP_KEY={{k}}\nAPP_DEBUG=false\nAPP_URL=https://{{w}}.io\n\nLOG_CHANNEL=stack\n\nDB_CONNECTION=mysql\nDB_HOST={{h}}\nDB_PORT=3306\nDB_DATABASE={{w}}\nDB_USERNAME={{w}}\nDB_PASSWORD={{p}}\n\nMAIL_MAILER=smtp\nMAIL_HOST=smtp.{{w}}.io\nMAIL_USERNAME=noreply@{{w}}.io\nMAIL_PASSWORD={{m}}\n",
                          {{"k", k}, {"p", p}, {"m", m}, {"w", g.word()}, {"W", "Shop"}, {"h", g.host()}}),
                     {k, p, m});
        },
        [F](Gen& g) {
            std::string s = g.alnum(40), p = g.password(18);
            return S(F, "web/.env.production",
                     fill("NEXTAUTH_URL=https://app.{{w}}.io\nNEXTAUTH_SECRET=\"{{s}}\"\nDATABASE_HOST={{h}}\nDATABASE_PASSWORD={{p}}\nNEXT_PUBLIC_SITE_NAME={{w}}\n", {{"s", s}, {"p", p}, {"w", g.word()}, {"h", g.host()}}),
                     {s, p});
        },
        [F](Gen& g) {
            std::string p = g.password(18), j = g.alnum(40);
            return S(F, "docker-compose.yml",
                     fill("services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: {{w}}\n      POSTGRES_PASSWORD: {{p}}\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n  api:\n    image: {{w}}/api:1.4\n    depends_on: [db]\n    environment:\n      - DATABASE_HOST=db\n      - JWT_SECRET={{j}}\nvolumes:\n  pgdata: {}\n", {{"p", p}, {"j", j}, {"w", g.word()}}),
                     {p, j});
        },
        [F](Gen& g) {
            std::string t = g.alnum(40);
            return S(F, "Dockerfile",
                     fill("FROM python:3.12-slim\nWORKDIR /app\nENV PIP_NO_CACHE_DIR=1\nENV {{W}}_API_TOKEN={{t}}\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"gunicorn\", \"app:app\"]\n", {{"t", t}, {"W", "ORDERS"}}),
                     {t});
        },
        [F](Gen& g) {
            std::string p = g.password(16), k = g.alnum(32);
            return S(F, "Web.config",
                     fill("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <connectionStrings>\n    <add name=\"Default\" connectionString=\"Server={{h}};Database={{W}};User Id={{w}}_app;Password={{p}};TrustServerCertificate=True\" providerName=\"System.Data.SqlClient\" />\n  </connectionStrings>\n  <appSettings>\n    <add key=\"PaymentGateway.ApiKey\" value=\"{{k}}\" />\n    <add key=\"webpages:Version\" value=\"3.0.0.0\" />\n  </appSettings>\n</configuration>\n",
                          {{"p", p}, {"k", k}, {"w", g.word()}, {"W", "Orders"}, {"h", g.host()}}),
                     {p, k});
        },
        [F](Gen& g) {
            std::string c = g.alnum(40), p = g.password(20);
            return S(F, "src/Api/appsettings.Production.json",
                     fill("{\n  \"Logging\": { \"LogLevel\": { \"Default\": \"Information\" } },\n  \"ConnectionStrings\": {\n    \"Default\": \"Host={{h}};Port=5432;Database=shop;Username=shop;Password={{p}}\"\n  },\n  \"AzureAd\": {\n    \"Instance\": \"https://login.microsoftonline.com/\",\n    \"ClientId\": \"{{id}}\",\n    \"ClientSecret\": \"{{c}}\"\n  }\n}\n",
                          {{"c", c}, {"p", p}, {"id", g.uuid()}, {"h", g.host()}}),
                     {p, c});
        },
        [F](Gen& g) {
            std::string p = g.password(14);
            return S(F, "conf/tomcat-users.xml",
                     fill("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tomcat-users xmlns=\"http://tomcat.apache.org/xml\" version=\"1.0\">\n  <role rolename=\"manager-gui\"/>\n  <role rolename=\"manager-script\"/>\n  <user username=\"deploy\" password=\"{{p}}\" roles=\"manager-gui,manager-script\"/>\n</tomcat-users>\n", {{"p", p}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = g.password(16);
            return S(F, "config/environments/production.rb",
                     fill("Rails.application.configure do\n  config.action_mailer.delivery_method = :smtp\n  config.action_mailer.smtp_settings = {\n    address: 'smtp.{{w}}.io',\n    port: 587,\n    user_name: 'mailer@{{w}}.io',\n    password: '{{p}}',\n    authentication: :plain\n  }\nend\n", {{"p", p}, {"w", g.word()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = g.password(16);
            return S(F, "src/main/resources/META-INF/persistence.xml",
                     fill("<persistence version=\"3.0\">\n  <persistence-unit name=\"{{w}}\">\n    <properties>\n      <property name=\"jakarta.persistence.jdbc.url\" value=\"jdbc:postgresql://{{h}}/{{w}}\"/>\n      <property name=\"jakarta.persistence.jdbc.user\" value=\"{{w}}\"/>\n      <property name=\"jakarta.persistence.jdbc.password\" value=\"{{p}}\"/>\n    </properties>\n  </persistence-unit>\n</persistence>\n", {{"p", p}, {"w", g.word()}, {"h", g.host()}}),
                     {p});
        },
    };
}

// ---------------------------------------------------------------------------------------------------
std::vector<Make> infra() {
    const std::string F = "infra";
    return {
        [F](Gen& g) {
            std::string p = "{AQAAABAAAAAQ" + g.b64(44) + "}";
            return S(F, "var/lib/jenkins/credentials.xml",
                     fill("<?xml version='1.1' encoding='UTF-8'?>\n<com.cloudbees.plugins.credentials.SystemCredentialsProvider plugin=\"credentials@1337.v60b_d7b_c7b_c9f\">\n  <domainCredentialsMap class=\"hudson.util.CopyOnWriteMap$Hash\">\n    <entry>\n      <com.cloudbees.plugins.credentials.domains.Domain>\n        <specifications/>\n      </com.cloudbees.plugins.credentials.domains.Domain>\n      <java.util.concurrent.CopyOnWriteArrayList>\n        <com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl>\n          <scope>GLOBAL</scope>\n          <id>nexus-deploy</id>\n          <description></description>\n          <username>deploy</username>\n          <password>{{p}}</password>\n          <usernameSecret>false</usernameSecret>\n        </com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl>\n      </java.util.concurrent.CopyOnWriteArrayList>\n    </entry>\n  </domainCredentialsMap>\n</com.cloudbees.plugins.credentials.SystemCredentialsProvider>\n", {{"p", p}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = g.password(18), t = g.alnum(40);
            return S(F, "deploy/k8s/" + g.word() + "-secret.yaml",
                     fill("apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{w}}-db\n  namespace: {{w}}\n  labels:\n    app: {{w}}\ntype: Opaque\ndata:\n  username: {{u}}\n  password: {{p}}\n  api-token: {{t}}\n", {{"u", base64(g.word())}, {"p", base64(p)}, {"t", base64(t)}, {"w", g.word()}}),
                     {p, t});
        },
        [F](Gen& g) {
            std::string p = g.password(18);
            return S(F, "charts/grafana/templates/admin-secret.yaml",
                     fill("apiVersion: v1\nkind: Secret\nmetadata:\n  name: grafana-admin\ntype: Opaque\nstringData:\n  admin-user: admin\n  admin-password: {{p}}\n", {{"p", p}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = g.password(20);
            return S(F, "infra/terraform.tfstate",
                     fill("{\n  \"version\": 4,\n  \"terraform_version\": \"1.7.5\",\n  \"serial\": 42,\n  \"lineage\": \"{{l}}\",\n  \"outputs\": {},\n  \"resources\": [\n    {\n      \"mode\": \"managed\",\n      \"type\": \"aws_db_instance\",\n      \"name\": \"{{w}}\",\n      \"provider\": \"provider[\\\"registry.terraform.io/hashicorp/aws\\\"]\",\n      \"instances\": [\n        {\n          \"schema_version\": 2,\n          \"attributes\": {\n            \"engine\": \"postgres\",\n            \"identifier\": \"{{w}}-prod\",\n            \"username\": \"{{w}}\",\n            \"password\": \"{{p}}\",\n            \"port\": 5432\n          }\n        }\n      ]\n    }\n  ]\n}\n",
                          {{"p", p}, {"w", g.word()}, {"l", g.uuid()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = g.password(18), t = g.alnum(40);
            return S(F, "envs/prod/terraform.tfvars",
                     fill("region          = \"eu-west-1\"\nenvironment     = \"prod\"\ndb_username     = \"{{w}}\"\ndb_password     = \"{{p}}\"\ncloudflare_api_token = \"{{t}}\"\n", {{"p", p}, {"t", t}, {"w", g.word()}}),
                     {p, t});
        },
        [F](Gen& g) {
            std::string p = g.password(18);
            return S(F, "infra/rds.tf",
                     fill("resource \"aws_db_instance\" \"{{w}}\" {\n  identifier          = \"{{w}}-prod\"\n  engine              = \"postgres\"\n  engine_version      = \"16.2\"\n  instance_class      = \"db.t4g.medium\"\n  allocated_storage   = 50\n  username            = \"{{w}}\"\n  password            = \"{{p}}\"\n  skip_final_snapshot = true\n}\n", {{"p", p}, {"w", g.word()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = g.password(14);
            return S(F, "inventory/hosts",
                     fill("[web]\nweb01.{{w}}.io ansible_user=deploy ansible_password={{p}}\nweb02.{{w}}.io ansible_user=deploy ansible_password={{p}}\n\n[web:vars]\nansible_python_interpreter=/usr/bin/python3\n", {{"p", p}, {"w", g.word()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = g.alnum(16);
            return S(F, "group_vars/all.yml",
                     fill("---\nntp_server: ntp.{{w}}.io\nansible_user: admin\nansible_become_pass: {{p}}\n", {{"p", p}, {"w", g.word()}}), {p});
        },
        [F](Gen& g) {
            std::string p = g.b64(32);
            return S(F, "var/lib/jenkins/config.xml",
                     fill("<?xml version='1.1' encoding='UTF-8'?>\n<hudson>\n  <securityRealm class=\"hudson.security.LDAPSecurityRealm\" plugin=\"ldap@711.vb_d1a_491714dc\">\n    <configurations>\n      <jenkins.security.plugins.ldap.LDAPConfiguration>\n        <server>ldaps://ldap.{{w}}.io</server>\n        <managerDN>cn=jenkins,dc={{w}},dc=io</managerDN>\n        <managerPasswordSecret>{{p}}</managerPasswordSecret>\n        <managerPassword>{{p}}</managerPassword>\n      </jenkins.security.plugins.ldap.LDAPConfiguration>\n    </configurations>\n  </securityRealm>\n</hudson>\n", {{"p", p}, {"w", g.word()}}),
                     {p});
        },
    };
}

// ---------------------------------------------------------------------------------------------------
std::vector<Make> hashes() {
    const std::string F = "hashes";
    const std::string C = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    return {
        [F, C](Gen& g) {
            std::string a = "$apr1$" + g.chars(C, 8) + "$" + g.chars(C, 22), b = "$2y$05$" + g.chars(C, 53);
            return S(F, "etc/nginx/.htpasswd", fill("admin:{{a}}\nreports:{{b}}\n", {{"a", a}, {"b", b}}), {a, b});
        },
        [F, C](Gen& g) {
            std::string h = "$6$" + g.chars(C, 16) + "$" + g.chars(C, 86), d = "$y$j9T$" + g.chars(C, 22) + "$" + g.chars(C, 43);
            return S(F, "backup/etc/shadow",
                     fill("root:{{h}}:19700:0:99999:7:::\ndaemon:*:19700:0:99999:7:::\nbin:*:19700:0:99999:7:::\nsshd:*:19700:0:99999:7:::\ndeploy:{{d}}:19850:0:99999:7:::\n", {{"h", h}, {"d", d}}),
                     {h, d});
        },
        [F](Gen& g) {
            std::string a = "aad3b435b51404eeaad3b435b51404ee:" + g.hex(32), b = "aad3b435b51404eeaad3b435b51404ee:" + g.hex(32);
            return S(F, "loot/hashes.txt",
                     fill("Administrator:500:{{a}}:::\nGuest:501:aad3b435b51404eeaad3b435b51404ee:31d6cfe0d16ae931b73c59d7e0c089c0:::\nsvc_sql:1105:{{b}}:::\n", {{"a", a}, {"b", b}}),
                     {a, b});
        },
        [F, C](Gen& g) {
            std::string h = "$P$B" + g.chars(C, 30);
            return S(F, "backup/wordpress.sql",
                     fill("-- MySQL dump 10.13  Distrib 8.0.36\n--\n-- Table structure for table `wp_users`\n--\n\nDROP TABLE IF EXISTS `wp_users`;\nCREATE TABLE `wp_users` (\n  `ID` bigint unsigned NOT NULL AUTO_INCREMENT,\n  `user_login` varchar(60) NOT NULL DEFAULT '',\n  `user_pass` varchar(255) NOT NULL DEFAULT '',\n  PRIMARY KEY (`ID`)\n) ENGINE=InnoDB;\n\nLOCK TABLES `wp_users` WRITE;\nINSERT INTO `wp_users` VALUES (1,'admin','{{h}}','admin','admin@{{w}}.io','','2023-01-04 10:11:12','',0,'admin');\nUNLOCK TABLES;\n", {{"h", h}, {"w", g.word()}}),
                     {h});
        },
        [F, C](Gen& g) {
            std::string h = "$2a$12$" + g.chars(C, 53);
            return S(F, "db/seeds.sql", fill("INSERT INTO users (id, email, encrypted_password, created_at) VALUES (1, 'ops@{{w}}.io', '{{h}}', now());\n", {{"h", h}, {"w", g.word()}}), {h});
        },
        [F](Gen& g) {
            std::string h = "pbkdf2_sha256$600000$" + g.alnum(22) + "$" + base64(g.alnum(32));
            return S(F, g.word() + "/fixtures/users.json",
                     fill("[\n  {\n    \"model\": \"auth.user\",\n    \"pk\": 1,\n    \"fields\": {\n      \"password\": \"{{h}}\",\n      \"last_login\": null,\n      \"is_superuser\": true,\n      \"username\": \"admin\",\n      \"email\": \"admin@{{w}}.io\"\n    }\n  }\n]\n", {{"h", h}, {"w", g.word()}}),
                     {h});
        },
        [F](Gen& g) {
            std::string p = g.password(16);
            return S(F, "db/init/01-users.sql",
                     fill("CREATE DATABASE IF NOT EXISTS {{w}};\nCREATE USER 'report'@'%' IDENTIFIED BY '{{p}}';\nGRANT SELECT ON {{w}}.* TO 'report'@'%';\nFLUSH PRIVILEGES;\n", {{"p", p}, {"w", g.word()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = g.password(16);
            return S(F, "migrations/0007_roles.sql",
                     fill("BEGIN;\nCREATE ROLE {{w}}_app WITH LOGIN PASSWORD '{{p}}' VALID UNTIL 'infinity';\nGRANT CONNECT ON DATABASE {{w}} TO {{w}}_app;\nCOMMIT;\n", {{"p", p}, {"w", g.word()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string h = "{SSHA}" + g.b64(32);
            return S(F, "ldap/people.ldif",
                     fill("dn: uid=jdoe,ou=people,dc={{w}},dc=io\nobjectClass: inetOrgPerson\nuid: jdoe\ncn: Jane Doe\nsn: Doe\nmail: jdoe@{{w}}.io\nuserPassword: {{h}}\n", {{"h", h}, {"w", g.word()}}),
                     {h});
        },
        [F](Gen& g) {
            std::string h = "$9$" + g.chars("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 14) + "$" + g.chars("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 43);
            std::string t7 = g.upper_hex(20);
            return S(F, "network/edge-rtr-01.cfg",
                     fill("!\nhostname edge-rtr-01\n!\nenable secret 9 {{h}}\n!\nusername netops privilege 15 password 7 {{t}}\n!\ninterface GigabitEthernet0/0\n ip address 10.0.0.1 255.255.255.0\n!\nend\n", {{"h", h}, {"t", t7}}),
                     {h, t7});
        },
        [F](Gen& g) {
            std::string p = g.alnum(32);
            return S(F, "deploy/redis.conf", fill("bind 0.0.0.0\nport 6379\nprotected-mode yes\nrequirepass {{p}}\nmaxmemory 2gb\nmaxmemory-policy allkeys-lru\n", {{"p", p}}), {p});
        },
    };
}

// ---------------------------------------------------------------------------------------------------
std::string pem_body(Gen& g, int lines) {
    std::string body;
    for (int i = 0; i < lines; ++i) body += g.b64(64) + "\n";
    return body + g.b64(40) + "==\n";
}

std::vector<Make> keys() {
    const std::string F = "keys";
    return {
        [F](Gen& g) {
            std::string k = "-----BEGIN RSA PRIVATE KEY-----\n" + pem_body(g, 20) + "-----END RSA PRIVATE KEY-----";
            return S(F, "deploy/keys/" + g.word() + ".pem", k + "\n", {k});
        },
        [F](Gen& g) {
            std::string k = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + pem_body(g, 6) + "-----END OPENSSH PRIVATE KEY-----";
            return S(F, "home/" + g.user() + "/.ssh/id_ed25519", k + "\n", {k});
        },
        [F](Gen& g) {
            std::string k = "-----BEGIN PRIVATE KEY-----\n" + pem_body(g, 25) + "-----END PRIVATE KEY-----";
            return S(F, "src/main/resources/jwt-signing.pem", k + "\n", {k});
        },
        [F](Gen& g) {
            std::string k = "-----BEGIN OpenVPN Static key V1-----\n";
            for (int i = 0; i < 16; ++i) k += g.hex(32) + "\n";
            k += "-----END OpenVPN Static key V1-----";
            return S(F, "vpn/client.ovpn",
                     "client\ndev tun\nproto udp\nremote vpn." + g.word() + ".io 1194\nresolv-retry infinite\nnobind\n<tls-crypt>\n#\n# 2048 bit OpenVPN static key\n#\n" + k + "\n</tls-crypt>\n",
                     {k});
        },
        [F](Gen& g) {
            std::string k = g.b64(42) + "A=";
            return S(F, "etc/wireguard/wg0.conf",
                     fill("[Interface]\nAddress = 10.8.0.2/24\nPrivateKey = {{k}}\nDNS = 10.8.0.1\n\n[Peer]\nPublicKey = {{pub}}\nEndpoint = vpn.{{w}}.io:51820\nAllowedIPs = 0.0.0.0/0\nPersistentKeepalive = 25\n", {{"k", k}, {"pub", g.b64(42) + "Q="}, {"w", g.word()}}),
                     {k});
        },
        [F](Gen& g) {
            std::string d = g.alnum(43);
            return S(F, "config/jwks-private.json",
                     fill("{\n  \"keys\": [\n    {\n      \"kty\": \"EC\",\n      \"crv\": \"P-256\",\n      \"kid\": \"sig-2024\",\n      \"use\": \"sig\",\n      \"x\": \"{{x}}\",\n      \"y\": \"{{y}}\",\n      \"d\": \"{{d}}\"\n    }\n  ]\n}\n", {{"d", d}, {"x", g.alnum(43)}, {"y", g.alnum(43)}}),
                     {d});
        },
        [F](Gen& g) {
            std::string k = g.b64(138) + "==";
            return S(F, "release/" + g.word() + ".sec", "untrusted comment: signify secret key\n" + k + "\n", {k});
        },
    };
}

// ---------------------------------------------------------------------------------------------------
std::vector<Make> sensitive_paths() {
    const std::string F = "sensitive-paths";
    auto bin = [](Gen& g, std::string magic) {
        std::string s = std::move(magic);
        s += std::string(1, '\0');
        for (int i = 0; i < 200; ++i) s += char(g.pick(256));
        return s;
    };
    return {
        [F, bin](Gen& g) {
            std::string p = "android/app/" + g.word() + "-release.keystore";
            return S(F, p, bin(g, "\xfe\xed\xfe\xed"), {p});
        },
        [F, bin](Gen& g) {
            std::string p = "certs/" + g.word() + "-client.p12";
            return S(F, p, bin(g, "\x30\x82\x0a\x01"), {p});
        },
        [F, bin](Gen& g) {
            std::string p = "secrets/" + g.word() + "-team.kdbx";
            return S(F, p, bin(g, "\x03\xd9\xa2\x9a\x67\xfb\x4b\xb5"), {p});
        },
        [F](Gen& g) {
            std::string p = "infra/" + g.word() + "/terraform.tfstate";
            return S(F, p,
                     fill("{\n  \"version\": 4,\n  \"terraform_version\": \"1.6.2\",\n  \"serial\": 7,\n  \"lineage\": \"{{l}}\",\n  \"outputs\": {\n    \"bucket\": {\"value\": \"{{w}}-assets\", \"type\": \"string\"}\n  },\n  \"resources\": []\n}\n", {{"l", g.uuid()}, {"w", g.word()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string p = "home/" + g.user() + "/.bash_history";
            return S(F, p, "ls\ncd src\nmake -j4\ngit status\ngit push origin main\nhistory | tail\n", {p});
        },
        [F](Gen& g) {
            std::string p = "var/lib/jenkins/secrets/master.key";
            return S(F, p, g.hex(256), {p});
        },
        [F](Gen& g) {
            std::string p = "ansible/.vault_pass";
            return S(F, p, g.password(24) + "\n", {p});
        },
        [F, bin](Gen& g) {
            std::string p = "home/" + g.user() + "/.ssh/id_rsa";
            return S(F, p, bin(g, "\x01\x02"), {p});  // an id_rsa in a format no content rule reads
        },
        [F, bin](Gen& g) {
            std::string p = "backup/wallet.dat";
            return S(F, p, bin(g, "\x00\x06\x15\x61"), {p});
        },
        [F, bin](Gen& g) {
            std::string p = "tor/hidden_service/hs_ed25519_secret_key";
            return S(F, p, "== ed25519v1-secret: type0 ==" + bin(g, ""), {p});
        },
        [F, bin](Gen& g) {
            std::string p = "home/" + g.user() + "/Library/Keychains/login.keychain-db";
            return S(F, p, bin(g, "kych"), {p});
        },
        [F](Gen& g) {
            std::string p = "home/" + g.user() + "/.config/gcloud/credentials.db";
            return S(F, p, std::string("SQLite format 3\0", 16) + g.alnum(100), {p});
        },
    };
}

// ---------------------------------------------------------------------------------------------------
std::vector<Make> generic() {
    const std::string F = "generic";
    return {
        [F](Gen& g) {
            std::string k = g.alnum(32);
            return S(F, "src/config/" + g.word() + ".js",
                     fill("// {{w}} client configuration\nconst config = {\n  baseUrl: \"https://api.{{w}}.io\",\n  apiKey: \"{{k}}\",\n  timeoutMs: 5000,\n  retries: 3,\n};\n\nmodule.exports = config;\n", {{"k", k}, {"w", g.word()}}),
                     {k});
        },
        [F](Gen& g) {
            std::string k = g.hex(40);
            return S(F, "internal/" + g.word() + "/client.go",
                     fill("package {{w}}\n\nimport \"net/http\"\n\nconst (\n\tbaseURL       = \"https://hooks.{{w}}.io\"\n\tsigningSecret = \"{{k}}\"\n)\n\nfunc NewClient() *http.Client { return &http.Client{} }\n", {{"k", k}, {"w", g.word()}}),
                     {k});
        },
        [F](Gen& g) {
            std::string k = g.b64(40);
            return S(F, "src/main/java/io/" + g.word() + "/Config.java",
                     fill("package io.{{w}};\n\npublic final class Config {\n    public static final String ENDPOINT = \"https://api.{{w}}.io\";\n    public static final String CLIENT_SECRET = \"{{k}}\";\n    private Config() {}\n}\n", {{"k", k}, {"w", g.word()}}),
                     {k});
        },
        [F](Gen& g) {
            std::string k = g.alnum(28);
            return S(F, ".github/workflows/notify.yml",
                     fill("name: notify\non: [push]\njobs:\n  notify:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: {{w}}/notify-action@v2\n        with:\n          webhook_url: https://hooks.{{w}}.io/ci\n          auth_token: {{k}}\n", {{"k", k}, {"w", g.word()}}),
                     {k});
        },
        [F](Gen& g) {
            std::string k = g.b64(44);
            return S(F, "config/" + g.word() + ".json",
                     fill("{\n  \"service\": \"{{w}}\",\n  \"region\": \"eu-west-1\",\n  \"encryptionKey\": \"{{k}}\",\n  \"features\": [\"search\", \"export\"]\n}\n", {{"k", k}, {"w", g.word()}}),
                     {k});
        },
        [F](Gen& g) {
            std::string p = g.password(16);
            return S(F, g.word() + "/db.py",
                     fill("import psycopg2\n\n\ndef connect():\n    return psycopg2.connect(host=\"{{h}}\", dbname=\"{{w}}\", user=\"{{w}}\", password=\"{{p}}\")\n", {{"p", p}, {"h", g.host()}, {"w", g.word()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string k = g.alnum(36);
            return S(F, "Services/" + g.word() + "Client.cs",
                     fill("namespace Acme.Services\n{\n    public class PartnerClient\n    {\n        private const string ApiKey = \"{{k}}\";\n        private readonly HttpClient _http = new HttpClient();\n    }\n}\n", {{"k", k}}),
                     {k});
        },
        [F](Gen& g) {
            std::string k = g.alnum(40);
            return S(F, "lib/" + g.word() + "/client.rb",
                     fill("module Acme\n  class Client\n    ACCESS_TOKEN = '{{k}}'.freeze\n\n    def initialize(base_url)\n      @base_url = base_url\n    end\n  end\nend\n", {{"k", k}}),
                     {k});
        },
        [F](Gen& g) {
            std::string p = g.password(14);
            return S(F, "src/mailer.ts",
                     fill("import nodemailer from 'nodemailer';\n\nconst SMTP_PASS = '{{p}}';\n\nexport const transport = nodemailer.createTransport({\n  host: 'smtp.{{w}}.io',\n  port: 587,\n  auth: { user: 'noreply@{{w}}.io', pass: SMTP_PASS },\n});\n", {{"p", p}, {"w", g.word()}}),
                     {p});
        },
        [F](Gen& g) {
            std::string k = g.alnum(24) + "-" + g.alnum(8);
            return S(F, "deploy/values-prod.yaml",
                     fill("replicaCount: 3\nimage:\n  repository: registry.{{w}}.io/{{w}}/api\n  tag: \"1.8.2\"\nconfig:\n  sessionSecret: {{k}}\n  logLevel: info\n", {{"k", k}, {"w", g.word()}}),
                     {k});
        },
    };
}

// ---------------------------------------------------------------------------------------------------
std::vector<Make> encoded() {
    const std::string F = "encoded";
    return {
        [F](Gen& g) {
            std::string pat = test::fake_github_pat(unsigned(g.pick(1000000)));
            std::string env = "GITHUB_TOKEN=" + pat + "\nLOG_LEVEL=info\n";
            return S(F, "k8s/" + g.word() + "-env.yaml",
                     fill("apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{w}}-env\ntype: Opaque\ndata:\n  .env: {{e}}\n", {{"e", base64(env)}, {"w", g.word()}}),
                     {pat});
        },
        [F](Gen& g) {
            std::string id = test::fake_aws_key_id(unsigned(g.pick(1000000))), sec = test::fake_aws_secret(unsigned(g.pick(1000000)));
            std::string creds = "[default]\naws_access_key_id = " + id + "\naws_secret_access_key = " + sec + "\n";
            return S(F, "deploy/aws-credentials-secret.yaml",
                     fill("apiVersion: v1\nkind: Secret\nmetadata:\n  name: aws-credentials\ntype: Opaque\ndata:\n  credentials: {{c}}\n", {{"c", base64(creds)}}),
                     {id, sec});
        },
        [F](Gen& g) {
            std::string up = g.user() + ":" + g.password(20);
            std::string docker = "{\"auths\":{\"registry." + g.word() + ".io\":{\"auth\":\"" + base64(up) + "\"}}}";
            return S(F, "k8s/pull-secret.yaml",
                     fill("apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {{d}}\n", {{"d", base64(docker)}}),
                     {up});
        },
        [F](Gen& g) {
            std::string up = "api:" + g.alnum(28);
            return S(F, "nginx/conf.d/upstream.conf",
                     fill("upstream partner {\n    server partner.{{w}}.io:443;\n}\n\nserver {\n    listen 8080;\n    location /partner/ {\n        proxy_pass https://partner;\n        proxy_set_header Authorization \"Basic {{a}}\";\n    }\n}\n", {{"a", base64(up)}, {"w", g.word()}}),
                     {up});
        },
        [F](Gen& g) {
            std::string pw = g.alnum(20);
            std::string url = "https://deploy:" + pw + "@git." + g.word() + ".io/platform/api.git";
            return S(F, "ci/redirect.txt", "next=" + percent(url) + "&source=ci\n", {pw});
        },
        [F](Gen& g) {
            std::string id = test::fake_aws_key_id(unsigned(g.pick(1000000)));
            std::string sec = test::fake_aws_secret(unsigned(g.pick(1000000)));
            std::string json = "{\"AccessKeyId\":\"" + id + "\",\"SecretAccessKey\":\"" + sec + "\"}";
            return S(F, "src/bootstrap.js",
                     fill("// bundled credentials (base64)\nexport const CREDS = atob(\"{{b}}\");\n", {{"b", base64(json)}}), {id, sec});
        },
    };
}

// Cases the rules are known to find hard, labelled honestly: some are missed (a password without a
// secret-sounding name, base64 inside base64 at the default depth, a digit-free passphrase).
std::vector<Make> hard_cases() {
    const std::string F = "hard-cases";
    return {
        [F](Gen& g) {
            std::string p = "correct-horse-battery-" + g.word();
            return S(F, ".env", "APP_ENV=production\nDB_PASSWORD=" + p + "\n", {p});
        },
        [F](Gen& g) {
            std::string p = g.password(14);
            return S(F, "src/main/resources/application.properties", "app.signing=" + p + "\napp.name=orders\n", {p});
        },
        [F](Gen& g) {
            std::string p = g.password(10);
            return S(F, "scripts/run.sh", "#!/bin/sh\nPW=" + p + "\n./client --user admin --pw \"$PW\"\n", {p});
        },
        [F](Gen& g) {
            std::string pat = test::fake_github_pat(unsigned(g.pick(1000000)));
            std::string inner = base64("token: " + pat + "\n");
            return S(F, "config/bootstrap.yaml", "bootstrap:\n  blob: " + base64("payload: " + inner + "\n") + "\n", {pat});
        },
        [F](Gen& g) {
            std::string t = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + base64("{\"sub\":\"" + g.alnum(12) + "\"}") + "." + g.alnum(43);
            while (!t.empty() && t.back() == '=') t.pop_back();
            return S(F, "tests/http/orders.http", "GET https://api." + g.word() + ".io/v1/orders\nAuthorization: Bearer " + t + "\n", {t});
        },
        [F](Gen& g) {
            std::string k = g.alnum(40);
            return S(F, "src/settings.py", "STRIPE_KEY = '" + k + "'\n", {k});
        },
        [F](Gen& g) {
            std::string p = g.password(16);
            return S(F, "config.yaml", "database:\n  host: db\n  pass: " + p + "\n", {p});
        },
    };
}

std::vector<Sample> expand(const std::vector<Make>& makes, std::size_t n, std::uint64_t seed) {
    std::vector<Sample> out;
    for (std::size_t i = 0; i < n; ++i) {
        Gen g(seed * 1000003 + i);
        Sample s = makes[i % makes.size()](g);
        if (!s.secrets.empty()) out.push_back(std::move(s));
    }
    return out;
}

}  // namespace

std::vector<Sample> positives() {
    std::vector<Sample> out;
    auto add = [&](std::vector<Sample> v) { for (auto& s : v) out.push_back(std::move(s)); };
    add(expand(dotfiles(), 40, 1));
    add(expand(shell(), 36, 2));
    add(expand(ftp(), 24, 3));
    add(expand(app_config(), 54, 4));
    add(expand(infra(), 36, 5));
    add(expand(hashes(), 33, 6));
    add(expand(keys(), 21, 7));
    add(expand(sensitive_paths(), 36, 8));
    add(expand(generic(), 40, 9));
    add(expand(encoded(), 28, 10));
    add(expand(hard_cases(), 14, 12));
    return out;
}

}  // namespace ks::corpus
