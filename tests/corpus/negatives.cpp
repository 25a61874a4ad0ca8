// Negative samples: the same kinds of files with placeholders, lookups and documentation examples
// where a credential would be, and high-entropy text that is not a secret (lock files, hashes,
// identifiers, minified code, encoded images).
#include "corpus.hpp"

#include <functional>

namespace ks::corpus {

std::string fill(std::string t, const std::vector<std::pair<std::string, std::string>>& vars);

namespace {

using Make = std::function<Sample(Gen&)>;

Sample N(std::string family, std::string path, std::string text) {
    return Sample{std::move(family), std::move(path), std::move(text), {}};
}

std::vector<Make> dotfiles() {
    const std::string F = "dotfiles";
    return {
        [F](Gen& g) {
            return N(F, "docs/heroku.md",
                     fill("## Authenticating\n\nThe CLI stores credentials in `~/.netrc`:\n\n```\nmachine api.heroku.com\n  login me@example.com\n  password <your API key>\nmachine git.heroku.com\n  login me@example.com\n  password $HEROKU_API_KEY\n```\n\nRun `heroku auth:whoami` for {{w}}.\n", {{"w", g.word()}}));
        },
        [F](Gen& g) {
            return N(F, g.word() + "-web/.npmrc", fill("@{{w}}:registry=https://npm.pkg.github.com\n//npm.pkg.github.com/:_authToken=${NODE_AUTH_TOKEN}\nalways-auth=true\n", {{"w", g.word()}}));
        },
        [F](Gen&) { return N(F, "home/rel/.pypirc", "[distutils]\nindex-servers =\n    pypi\n\n[pypi]\nusername = __token__\npassword = <PyPI token>\n"); },
        [F](Gen&) { return N(F, "home/ci/.docker/config.json", "{\n\t\"auths\": {\n\t\t\"https://index.docker.io/v1/\": {}\n\t},\n\t\"credsStore\": \"desktop\",\n\t\"currentContext\": \"default\"\n}\n"); },
        [F](Gen& g) { return N(F, "home/ops/.aws/config", fill("[default]\nregion = eu-west-1\noutput = json\n\n[profile {{w}}]\nsso_start_url = https://{{w}}.awsapps.com/start\nsso_region = eu-west-1\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\n", {{"w", g.word()}})); },
        [F](Gen&) { return N(F, "home/backup/.my.cnf", "[client]\nuser=backup\npassword=\nsocket=/var/run/mysqld/mysqld.sock\n"); },
        [F](Gen& g) { return N(F, "home/ci/.m2/settings.xml", fill("<settings>\n  <servers>\n    <server>\n      <id>{{w}}-releases</id>\n      <username>${env.NEXUS_USER}</username>\n      <password>${env.NEXUS_PASSWORD}</password>\n    </server>\n  </servers>\n</settings>\n", {{"w", g.word()}})); },
        [F](Gen&) { return N(F, "gradle.properties", "org.gradle.jvmargs=-Xmx4g -XX:MaxMetaspaceSize=1g\norg.gradle.caching=true\nandroid.useAndroidX=true\nkotlin.code.style=official\nsigning.keyId=\nsigning.password=\n"); },
        [F](Gen& g) { return N(F, "home/ops/.kube/config", fill("apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://{{w}}.eks.amazonaws.com\n  name: prod\ncontexts:\n- context: {cluster: prod, user: prod}\n  name: prod\ncurrent-context: prod\nusers:\n- name: prod\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: aws\n      args: [eks, get-token, --cluster-name, prod]\n", {{"w", g.word()}})); },
        [F](Gen&) { return N(F, "templates/s3cfg.example", "[default]\naccess_key = YOUR_ACCESS_KEY\nsecret_key = YOUR_SECRET_KEY\nhost_base = s3.amazonaws.com\n"); },
        [F](Gen&) { return N(F, "NuGet.config", "<configuration>\n  <packageSourceCredentials>\n    <acme>\n      <add key=\"Username\" value=\"build\" />\n      <add key=\"ClearTextPassword\" value=\"%NUGET_PAT%\" />\n    </acme>\n  </packageSourceCredentials>\n</configuration>\n"); },
        [F](Gen&) { return N(F, ".yarnrc.yml", "nodeLinker: node-modules\nnpmScopes:\n  acme:\n    npmRegistryServer: \"https://npm.pkg.github.com\"\n    npmAuthToken: \"${NPM_TOKEN:-}\"\n"); },
    };
}

std::vector<Make> shell() {
    const std::string F = "shell";
    return {
        [F](Gen& g) { return N(F, "home/" + g.user() + "/.zshrc", "export ZSH=\"$HOME/.oh-my-zsh\"\nexport GITHUB_TOKEN=$(gh auth token)\nexport OPENAI_API_KEY=\"$(pass show openai/api-key)\"\nexport NPM_TOKEN=\"$NPM_TOKEN\"\nexport DB_PASSWORD=${DB_PASSWORD:-changeme}\nexport AWS_SHARED_CREDENTIALS_FILE=$HOME/.aws/credentials\nalias gs='git status'\n"); },
        [F](Gen& g) { return N(F, "scripts/backup.sh", fill("#!/bin/bash\nset -euo pipefail\nmysqldump -u root -p\"$MYSQL_ROOT_PASSWORD\" --all-databases > /backup/{{w}}.sql\nPGPASSWORD=\"$DB_PASS\" pg_dump -h db -U app {{w}} > /backup/pg.sql\nmysql -u root -p {{w}} < schema.sql\n", {{"w", g.word()}})); },
        [F](Gen&) { return N(F, "docs/api.md", "## Authentication\n\n```bash\ncurl -H \"Authorization: Bearer $TOKEN\" https://api.example.com/v1/me\ncurl -H 'Authorization: Bearer <access_token>' https://api.example.com/v1/orders\ncurl -u username:password https://api.example.com/v1/ping\ncurl -H 'X-API-Key: YOUR_API_KEY' https://api.example.com/v1/quotes\n```\n"); },
        [F](Gen&) { return N(F, ".github/workflows/release.yml", "jobs:\n  release:\n    steps:\n      - run: echo \"$DOCKER_PASSWORD\" | docker login -u \"$DOCKER_USER\" --password-stdin\n      - run: docker login -u ${{ secrets.REG_USER }} -p ${{ secrets.REG_PASS }} ghcr.io\n      - run: sshpass -p \"$SSH_PASS\" scp dist.tar.gz deploy@host:/srv\n"); },
        [F](Gen&) { return N(F, "Makefile", "deploy:\n\tcurl -fsS -u $(NEXUS_USER):$(NEXUS_PASS) --upload-file dist.zip $(NEXUS_URL)\n\tredis-cli -a \"$$REDIS_PASSWORD\" FLUSHDB\n\tkeytool -list -keystore debug.keystore -storepass android\n"); },
        [F](Gen&) { return N(F, "docs/ldap.md", "Run `ldapsearch -x -w changeme -b dc=example,dc=com` against the demo server.\nOr `smbclient //server/share -U user%password`.\n"); },
        [F](Gen& g) { return N(F, "scripts/env.sh", fill("#!/bin/sh\n# Load settings for {{w}}\nexport API_URL=https://api.{{w}}.io\nexport TOKEN_TTL=3600\nexport SECRET_FILE=/run/secrets/{{w}}\nexport PASSWORD_MIN_LENGTH=12\n", {{"w", g.word()}})); },
        [F](Gen&) { return N(F, "scripts/sign.sh", "#!/bin/bash\nopenssl pkcs12 -in key.p12 -passin env:P12_PASS -nodes -out key.pem\nopenssl pkcs12 -in key.p12 -passin pass:$P12_PASS -nodes\nkeytool -importkeystore -srcstorepass:env SRC_PASS -deststorepass:file dest.pass\n"); },
    };
}

std::vector<Make> ftp() {
    const std::string F = "ftp";
    return {
        [F](Gen& g) { return N(F, "sftp-config.json", fill("{\n    \"type\": \"sftp\",\n    \"host\": \"web02.{{w}}.io\",\n    \"user\": \"www-data\",\n    \"password\": \"\",\n    \"ssh_key_file\": \"~/.ssh/id_ed25519\",\n    \"remote_path\": \"/var/www/{{w}}/\"\n}\n", {{"w", g.word()}})); },
        [F](Gen& g) { return N(F, "AppData/Roaming/FileZilla/sitemanager.xml", fill("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FileZilla3>\n  <Servers>\n    <Server>\n      <Host>sftp.{{w}}.io</Host>\n      <Port>22</Port>\n      <Protocol>1</Protocol>\n      <User>deploy</User>\n      <Logontype>5</Logontype>\n      <Keyfile>C:\\Users\\ops\\.ssh\\id_ed25519.ppk</Keyfile>\n    </Server>\n  </Servers>\n</FileZilla3>\n", {{"w", g.word()}})); },
        [F](Gen&) { return N(F, "WinSCP.ini", "[Configuration\\Interface]\nRandomSeedFile=%APPDATA%\\winscp.rnd\n\n[Sessions\\Default%20Settings]\nHostName=\nUserName=\nFSProtocol=2\n"); },
        [F](Gen& g) { return N(F, ".vscode/sftp.json", fill("{\n  \"name\": \"staging\",\n  \"host\": \"staging.{{w}}.io\",\n  \"protocol\": \"sftp\",\n  \"username\": \"deploy\",\n  \"privateKeyPath\": \"~/.ssh/id_ed25519\",\n  \"password\": \"${env:SFTP_PASSWORD}\",\n  \"remotePath\": \"/srv/app\"\n}\n", {{"w", g.word()}})); },
        [F](Gen&) { return N(F, "deploy/mirror.lftp", "set sftp:auto-confirm yes\nopen -u \"$FTP_USER,$FTP_PASS\" sftp://files.example.com\nmirror -R dist /public_html\n"); },
        [F](Gen&) { return N(F, "rclone.conf", "[local]\ntype = local\n\n[s3]\ntype = s3\nprovider = AWS\nenv_auth = true\nregion = eu-west-1\n"); },
    };
}

std::vector<Make> app_config() {
    const std::string F = "app-config";
    return {
        [F](Gen&) { return N(F, "wp-config-sample.php", "<?php\ndefine( 'DB_NAME', 'database_name_here' );\ndefine( 'DB_USER', 'username_here' );\ndefine( 'DB_PASSWORD', 'password_here' );\ndefine( 'DB_HOST', 'localhost' );\n\ndefine( 'AUTH_KEY',         'put your unique phrase here' );\ndefine( 'SECURE_AUTH_KEY',  'put your unique phrase here' );\ndefine( 'LOGGED_IN_KEY',    'put your unique phrase here' );\ndefine( 'NONCE_KEY',        'put your unique phrase here' );\n$table_prefix = 'wp_';\n"); },
        [F](Gen&) { return N(F, "wp-config.php", "<?php\ndefine( 'DB_NAME', getenv_docker('WORDPRESS_DB_NAME', 'wordpress') );\ndefine( 'DB_PASSWORD', getenv_docker('WORDPRESS_DB_PASSWORD', 'example password') );\ndefine( 'AUTH_KEY', getenv_docker('WORDPRESS_AUTH_KEY', 'put your unique phrase here') );\n"); },
        [F](Gen&) { return N(F, ".env.example", "APP_NAME=Laravel\nAPP_ENV=local\nAPP_KEY=\nAPP_DEBUG=true\n\nDB_CONNECTION=mysql\nDB_HOST=127.0.0.1\nDB_PORT=3306\nDB_DATABASE=laravel\nDB_USERNAME=root\nDB_PASSWORD=\n\nMAIL_PASSWORD=null\nPUSHER_APP_SECRET=\nAWS_SECRET_ACCESS_KEY=\n"); },
        [F](Gen&) { return N(F, ".env", "DB_PASSWORD=${DB_PASSWORD}\nSESSION_SECRET=changeme\nAPI_KEY=your_api_key_here\nTOKEN_EXPIRY=3600\nJWT_SECRET=<generate with openssl rand -hex 32>\nSSH_PRIVATE_KEY=~/.ssh/id_ed25519\nSTRIPE_SECRET_KEY=sk_test_xxxxxxxxxxxxxxxxxxxxxxxx\n"); },
        [F](Gen& g) { return N(F, g.word() + "/settings.py", "import os\nfrom pathlib import Path\n\nSECRET_KEY = os.environ['DJANGO_SECRET_KEY']\nDEBUG = os.environ.get('DEBUG') == '1'\nDATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.postgresql',\n        'NAME': os.environ.get('DB_NAME', 'app'),\n        'PASSWORD': os.environ.get('DB_PASSWORD', ''),\n    }\n}\nEMAIL_HOST_PASSWORD = os.getenv('EMAIL_HOST_PASSWORD')\nPASSWORD_RESET_TIMEOUT = 259200\nCSRF_HEADER_NAME = 'HTTP_X_CSRFTOKEN'\n"); },
        [F](Gen&) { return N(F, "src/main/resources/application.properties", "spring.datasource.url=jdbc:postgresql://${DB_HOST}:5432/app\nspring.datasource.username=${DB_USER}\nspring.datasource.password=${DB_PASSWORD}\nserver.ssl.key-store-password=changeit\nsecurity.password.min-length=12\napp.jwt.token-validity=3600\napp.crypto.secret=ENC(G6N718UuyPE5bHyWKyuLQSm02auQPUtm)\n"); },
        [F](Gen&) { return N(F, "src/main/resources/application.yml", "spring:\n  datasource:\n    url: jdbc:mysql://${DB_HOST:localhost}:3306/shop\n    username: ${DB_USER:shop}\n    password: ${DB_PASSWORD:}\n  security:\n    oauth2:\n      client:\n        registration:\n          github:\n            client-id: ${GITHUB_CLIENT_ID}\n            client-secret: ${GITHUB_CLIENT_SECRET}\n"); },
        [F](Gen&) { return N(F, "config/database.yml", "default: &default\n  adapter: postgresql\n  pool: 5\n\ndevelopment:\n  <<: *default\n  database: app_development\n\ntest:\n  <<: *default\n  database: app_test\n  password: postgres\n\nproduction:\n  <<: *default\n  password: <%= ENV['APP_DATABASE_PASSWORD'] %>\n"); },
        [F](Gen&) { return N(F, "docker-compose.yml", "services:\n  db:\n    image: mysql:8\n    environment:\n      MYSQL_ROOT_PASSWORD: ${MYSQL_ROOT_PASSWORD}\n      MYSQL_PASSWORD_FILE: /run/secrets/db_password\n  cache:\n    image: redis:7\n    environment:\n      - REDIS_PASSWORD=${REDIS_PASSWORD:?set it}\nsecrets:\n  db_password:\n    file: ./secrets/db_password.txt\n"); },
        [F](Gen&) { return N(F, "Dockerfile", "FROM node:20-alpine\nARG NPM_TOKEN\nRUN echo \"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\" > .npmrc && npm ci && rm .npmrc\nENV NODE_ENV=production\nENV DB_PASSWORD=$DB_PASSWORD\nCMD [\"node\", \"server.js\"]\n"); },
        [F](Gen&) { return N(F, "Web.config", "<configuration>\n  <connectionStrings>\n    <add name=\"Default\" connectionString=\"Server=(localdb)\\mssqllocaldb;Database=App;Trusted_Connection=True;MultipleActiveResultSets=true\" />\n    <add name=\"Reports\" connectionString=\"Server=db;Database=Reports;User Id=sa;Password={0};\" />\n  </connectionStrings>\n  <appSettings>\n    <add key=\"Smtp.Password\" value=\"\" />\n  </appSettings>\n</configuration>\n"); },
        [F](Gen&) { return N(F, "src/Api/appsettings.json", "{\n  \"AzureAd\": {\n    \"Instance\": \"https://login.microsoftonline.com/\",\n    \"ClientSecret\": \"\"\n  },\n  \"Jwt\": { \"SigningKey\": \"<set in user secrets>\" },\n  \"Smtp\": { \"Password\": \"changeme\" }\n}\n"); },
        [F](Gen&) { return N(F, "conf/tomcat-users.xml", "<tomcat-users>\n<!--\n  <user username=\"admin\" password=\"<must-be-changed>\" roles=\"manager-gui\"/>\n  <user username=\"robot\" password=\"<must-be-changed>\" roles=\"manager-script\"/>\n-->\n</tomcat-users>\n"); },
        [F](Gen&) { return N(F, "config/environments/production.rb", "Rails.application.configure do\n  config.action_mailer.smtp_settings = {\n    user_name: ENV['SMTP_USER'],\n    password: ENV['SMTP_PASSWORD'],\n    authentication: :plain\n  }\n  config.secret_key_base = Rails.application.credentials.secret_key_base\nend\n"); },
        [F](Gen&) { return N(F, "config/app.php", "<?php\nreturn [\n    'key' => env('APP_KEY'),\n    'cipher' => 'AES-256-CBC',\n    'mail' => ['password' => env('MAIL_PASSWORD', '')],\n    'db' => ['password' => ''],\n];\n"); },
    };
}

std::vector<Make> infra() {
    const std::string F = "infra";
    return {
        [F](Gen& g) { return N(F, "charts/" + g.word() + "/templates/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ include \"app.fullname\" . }}\ntype: Opaque\ndata:\n  password: {{ .Values.db.password | b64enc | quote }}\nstringData:\n  api-token: {{ .Values.apiToken | quote }}\n"); },
        [F](Gen& g) { return N(F, "k8s/" + g.word() + "-config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\ndata:\n  token_ttl: \"3600\"\n  LOG_LEVEL: info\n  secret_name: app-secrets\n"); },
        [F](Gen&) { return N(F, "k8s/placeholder-secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: example\ntype: Opaque\ndata:\n  username: YWRtaW4=\n  password: Y2hhbmdlbWU=\n"); },
        [F](Gen&) { return N(F, "infra/rds.tf", "variable \"db_password\" {\n  type      = string\n  sensitive = true\n}\n\nresource \"aws_db_instance\" \"main\" {\n  username = \"app\"\n  password = var.db_password\n}\n\nresource \"random_password\" \"db\" {\n  length = 32\n}\n"); },
        [F](Gen&) { return N(F, "envs/prod/terraform.tfvars.example", "db_password = \"<set me>\"\napi_token   = \"\"\n"); },
        [F](Gen&) { return N(F, "group_vars/all.yml", "---\nansible_user: deploy\nansible_become_pass: \"{{ vault_become_pass }}\"\nansible_password: \"{{ lookup('env', 'ANSIBLE_PASSWORD') }}\"\n"); },
        [F](Gen&) { return N(F, "jenkins/casc.yaml", "credentials:\n  system:\n    domainCredentials:\n      - credentials:\n          - usernamePassword:\n              id: nexus\n              username: deploy\n              password: ${NEXUS_PASSWORD}\n"); },
        [F](Gen&) { return N(F, "Jenkinsfile", "pipeline {\n  agent any\n  environment { NEXUS = credentials('nexus-deploy') }\n  stages {\n    stage('publish') {\n      steps { sh 'curl -u $NEXUS_USR:$NEXUS_PSW --upload-file app.jar $NEXUS_URL' }\n    }\n  }\n}\n"); },
    };
}

std::vector<Make> hashes() {
    const std::string F = "hashes";
    return {
        [F](Gen&) { return N(F, "backup/etc/shadow", "root:*:19700:0:99999:7:::\ndaemon:*:19700:0:99999:7:::\nbin:!:19700:0:99999:7:::\nsshd:!*:19700::::::\n"); },
        [F](Gen&) { return N(F, "docs/htpasswd.md", "Create a user with `htpasswd -c .htpasswd admin`; each line reads user:$apr1$salt$hash.\n"); },
        [F](Gen& g) { return N(F, "db/schema.sql", fill("CREATE TABLE users (\n  id bigserial PRIMARY KEY,\n  email text NOT NULL,\n  encrypted_password text NOT NULL DEFAULT ''\n);\nINSERT INTO users (id, email, encrypted_password) VALUES (1, 'ops@{{w}}.io', '');\n-- passwords are stored as '$2y$10$...' bcrypt strings\n", {{"w", g.word()}})); },
        [F](Gen&) { return N(F, "db/init.sql", "CREATE USER 'app'@'%' IDENTIFIED BY 'password';\nCREATE USER 'ro'@'%' IDENTIFIED BY '${MYSQL_RO_PASSWORD}';\nALTER USER app IDENTIFIED BY :new_password;\nCREATE ROLE reporting WITH LOGIN PASSWORD NULL;\n"); },
        [F](Gen&) { return N(F, "deploy/redis.conf", "bind 127.0.0.1\nport 6379\n# requirepass foobared\nmaxmemory 256mb\n"); },
        [F](Gen&) { return N(F, "network/switch.cfg", "hostname sw-01\n!\nusername admin privilege 15 secret 5 <removed>\nsnmp-server community RO\n!\nend\n"); },
        [F](Gen&) { return N(F, "ldap/base.ldif", "dn: dc=example,dc=com\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n\ndn: ou=people,dc=example,dc=com\nobjectClass: organizationalUnit\nou: people\n"); },
    };
}

std::vector<Make> keys() {
    const std::string F = "keys";
    return {
        [F](Gen& g) { return N(F, "home/" + g.user() + "/.ssh/id_ed25519.pub", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + g.b64(43) + " " + g.user() + "@laptop\n"); },
        [F](Gen& g) {
            std::string body;
            for (int i = 0; i < 6; ++i) body += g.b64(64) + "\n";
            return N(F, "certs/server.crt", "-----BEGIN CERTIFICATE-----\n" + body + "-----END CERTIFICATE-----\n");
        },
        [F](Gen& g) {
            std::string body;
            for (int i = 0; i < 6; ++i) body += g.b64(64) + "\n";
            return N(F, "keys/jwt-public.pem", "-----BEGIN PUBLIC KEY-----\n" + body + "-----END PUBLIC KEY-----\n");
        },
        [F](Gen& g) { return N(F, "home/ops/.ssh/authorized_keys", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ" + g.b64(300) + " ops@bastion\n"); },
        [F](Gen&) { return N(F, "docs/wireguard.md", "```ini\n[Interface]\nPrivateKey = <client private key>\nAddress = 10.8.0.2/24\n\n[Peer]\nPublicKey = <server public key>\n```\n"); },
        [F](Gen& g) { return N(F, "config/jwks.json", fill("{\"keys\": [{\"kty\": \"RSA\", \"kid\": \"{{k}}\", \"use\": \"sig\", \"n\": \"{{n}}\", \"e\": \"AQAB\"}]}\n", {{"k", g.hex(16)}, {"n", g.alnum(342)}})); },
        [F](Gen&) { return N(F, "docs/keys.md", "Generate a key with `ssh-keygen -t ed25519`. The private key file starts with\n`-----BEGIN OPENSSH PRIVATE KEY-----`; never commit it.\n"); },
    };
}

std::vector<Make> sensitive_paths() {
    const std::string F = "sensitive-paths";
    return {
        [F](Gen&) { return N(F, "android/app/debug.keystore", std::string("\xfe\xed\xfe\xed\0\0\0\x02", 8) + "debug"); },
        [F](Gen&) { return N(F, "docs/keystore.md", "# Key stores\n\nRelease builds are signed with a key store kept in the CI secret store.\n"); },
        [F](Gen&) { return N(F, "src/main/java/io/acme/KeyStoreLoader.java", "package io.acme;\n\nimport java.security.KeyStore;\n\nclass KeyStoreLoader {\n  KeyStore load(char[] pw) throws Exception { return KeyStore.getInstance(\"PKCS12\"); }\n}\n"); },
        [F](Gen&) { return N(F, "infra/.terraform.lock.hcl", "provider \"registry.terraform.io/hashicorp/aws\" {\n  version     = \"5.40.0\"\n  constraints = \"~> 5.0\"\n  hashes = [\n    \"h1:Pjn0vYxWbTQkB1U7LBSMTz0tDl7DzWkmSFvbg0dOkyI=\",\n  ]\n}\n"); },
        [F](Gen&) { return N(F, "home/dev/.bashrc", "# ~/.bashrc\nHISTSIZE=10000\nalias ll='ls -alF'\n[ -f ~/.fzf.bash ] && source ~/.fzf.bash\n"); },
        [F](Gen&) { return N(F, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"); },
        [F](Gen&) { return N(F, "tests/fixtures/client.p12", std::string("\x30\x82\x0a\x01\0", 5) + "fixture"); },
        [F](Gen&) { return N(F, "src/crypto/id_rsa.go", "package crypto\n\n// Parses id_rsa style files.\nfunc Parse(b []byte) {}\n"); },
    };
}

std::vector<Make> generic() {
    const std::string F = "generic";
    return {
        [F](Gen&) { return N(F, "src/api/client.ts", fill("const apiKey = process.env.{{W}}_API_KEY;\nconst token = await getToken();\nconst secret = config.get('secret');\nexport const headers = { Authorization: `Bearer ${token}` };\n", {{"W", "ACME"}})); },
        [F](Gen& g) { return N(F, "src/models/" + g.word() + ".py", fill("class Order(Base):\n    request_id = \"{{u}}\"\n    token_id = \"{{u2}}\"\n    secret_name = \"orders-db-credentials\"\n    api_key_header = \"X-Api-Key\"\n", {{"u", g.uuid()}, {"u2", g.uuid()}})); },
        [F](Gen& g) { return N(F, "deploy/release.yaml", fill("release:\n  commit: {{c}}\n  sha: {{c2}}\n  token_url: https://oauth2.googleapis.com/token\n  private_key_file: /etc/ssl/private/server.key\n", {{"c", g.hex(40)}, {"c2", g.hex(40)}})); },
        [F](Gen&) { return N(F, "src/i18n/en.json", "{\n  \"login.password\": \"Password\",\n  \"login.passwordPlaceholder\": \"Enter your password\",\n  \"reset.token_expired\": \"Your reset link has expired\",\n  \"api_key.description\": \"Create an API key in settings\"\n}\n"); },
        [F](Gen&) { return N(F, "tests/test_login.py", "def test_login(client):\n    password = \"password123\"\n    token = \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n    secret = \"lorem-ipsum-dolor-sit-amet-consectetur\"\n    assert client.login(username=\"u\", password=password)\n"); },
        [F](Gen& g) { return N(F, "static/index.html", fill("<script src=\"https://cdn.example.com/app.js\" integrity=\"sha384-{{i}}\" crossorigin=\"anonymous\"></script>\n<link rel=\"stylesheet\" href=\"/app.css?v={{h}}\">\n", {{"i", g.b64(64)}, {"h", g.hex(20)}})); },
        [F](Gen&) { return N(F, "src/auth/constants.go", "package auth\n\nconst (\n\tTokenHeader   = \"X-Auth-Token\"\n\tSecretEnvVar  = \"APP_SECRET\"\n\tPasswordField = \"password\"\n\tAuthProvider  = \"com.acme.security.TokenAuthProvider\"\n)\n"); },
        [F](Gen&) { return N(F, "src/crypto.py", "from cryptography.hazmat.primitives.asymmetric import ed25519\n\n\ndef sign(private_key: ed25519.Ed25519PrivateKey, data: bytes) -> bytes:\n    return private_key.sign(data)\n"); },
        [F](Gen& g) { return N(F, "src/app/config.js", fill("module.exports = {\n  sessionSecret: process.env.SESSION_SECRET || 'dev-only',\n  password: '********',\n  apiKey: '<YOUR_API_KEY>',\n  authDomain: '{{w}}.firebaseapp.com',\n  secretsPath: './secrets/{{w}}.json',\n};\n", {{"w", g.word()}})); },
        [F](Gen&) { return N(F, "src/db.py", "import getpass\n\npassword = getpass.getpass('Password: ')\npassword = input('Password: ')\ndb_password = os.environ[\"DB_PASSWORD\"]\n"); },
    };
}

std::vector<Make> encoded() {
    const std::string F = "encoded";
    return {
        [F](Gen& g) {
            std::string png;
            for (int i = 0; i < 600; ++i) png += char(g.pick(256));
            return N(F, "static/logo.css", ".logo { background: url(data:image/png;base64," + base64("\x89PNG\r\n\x1a\n" + png) + "); }\n");
        },
        [F](Gen& g) { return N(F, "k8s/configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nbinaryData:\n  motd: " + base64("Welcome to the " + g.word() + " cluster. Please be kind to each other.\n") + "\n"); },
        [F](Gen& g) { return N(F, "src/redirect.txt", "next=" + percent("https://" + g.word() + ".example.com/search?q=hello world&page=2") + "\n"); },
        [F](Gen&) { return N(F, "k8s/secret-placeholder.yaml", "apiVersion: v1\nkind: Secret\ntype: Opaque\ndata:\n  password: " + base64("changeme") + "\n  token: " + base64("${API_TOKEN}") + "\n"); },
        [F](Gen&) { return N(F, "nginx/site.conf", "location /admin {\n    proxy_set_header Authorization \"Basic " + base64("user:password") + "\";\n}\n"); },
        [F](Gen& g) { return N(F, "docs/example.json", "{\"message\": \"" + base64("The quick brown fox jumps over the lazy " + g.word() + " dog") + "\"}\n"); },
    };
}

// High-entropy text that is not a secret.
std::vector<Make> non_secrets() {
    const std::string F = "non-secrets";
    return {
        [F](Gen& g) {
            std::string s = "{\n  \"name\": \"web\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {\n";
            for (int i = 0; i < 40; ++i) {
                std::string n = g.word() + "-" + g.word();
                s += "    \"node_modules/" + n + "\": {\n      \"version\": \"" + std::to_string(g.pick(9)) + "." + std::to_string(g.pick(20)) + ".0\",\n      \"resolved\": \"https://registry.npmjs.org/" + n + "/-/" + n + "-1.0.0.tgz\",\n      \"integrity\": \"sha512-" + g.b64(86) + "==\",\n      \"license\": \"MIT\"\n    },\n";
            }
            return N(F, "package-lock.json", s + "    \"\": {}\n  }\n}\n");
        },
        [F](Gen& g) {
            std::string s = "# This file is automatically @generated by Cargo.\nversion = 3\n\n";
            for (int i = 0; i < 40; ++i)
                s += "[[package]]\nname = \"" + g.word() + "\"\nversion = \"0." + std::to_string(g.pick(30)) + ".1\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"" + g.hex(64) + "\"\n\n";
            return N(F, "Cargo.lock", s);
        },
        [F](Gen& g) {
            std::string s;
            for (int i = 0; i < 60; ++i) {
                std::string m = "github.com/" + g.word() + "/" + g.word();
                s += m + " v1." + std::to_string(g.pick(20)) + ".0 h1:" + g.b64(43) + "=\n" + m + " v1." + std::to_string(g.pick(20)) + ".0/go.mod h1:" + g.b64(43) + "=\n";
            }
            return N(F, "go.sum", s);
        },
        [F](Gen& g) {
            std::string s = "# yarn lockfile v1\n\n";
            for (int i = 0; i < 40; ++i) {
                std::string n = g.word();
                s += n + "@^1.0.0:\n  version \"1.2." + std::to_string(g.pick(9)) + "\"\n  resolved \"https://registry.yarnpkg.com/" + n + "/-/" + n + "-1.2.3.tgz#" + g.hex(40) + "\"\n  integrity sha512-" + g.b64(86) + "==\n\n";
            }
            return N(F, "yarn.lock", s);
        },
        [F](Gen& g) {
            std::string s = "{\n    \"_meta\": {\"hash\": {\"sha256\": \"" + g.hex(64) + "\"}},\n    \"default\": {\n";
            for (int i = 0; i < 30; ++i) s += "        \"" + g.word() + "\": {\"hashes\": [\"sha256:" + g.hex(64) + "\", \"sha256:" + g.hex(64) + "\"], \"version\": \"==1.0." + std::to_string(g.pick(9)) + "\"},\n";
            return N(F, "Pipfile.lock", s + "        \"zzz\": {}\n    }\n}\n");
        },
        [F](Gen& g) {
            std::string s = "{\n    \"packages\": [\n";
            for (int i = 0; i < 30; ++i) s += "        {\"name\": \"" + g.word() + "/" + g.word() + "\", \"source\": {\"reference\": \"" + g.hex(40) + "\"}, \"dist\": {\"shasum\": \"\", \"reference\": \"" + g.hex(40) + "\"}},\n";
            return N(F, "composer.lock", s + "        {}\n    ]\n}\n");
        },
        [F](Gen& g) {
            // Minified bundle: short identifiers, long string constants, base64 fonts.
            std::string s = "!function(e,t){\"use strict\";";
            for (int i = 0; i < 80; ++i) {
                s += "var " + g.chars("abcdefghijklmnopqrstuvwxyz", 1) + std::to_string(i) + "=function(n,r){return n." + g.word() + "(r,\"" + g.alnum(12) + "\")};";
                if (i % 9 == 0) s += "e.token=t.tokenValue||null;e.secret=n.secretKey;";
            }
            s += "e.font=\"data:font/woff2;base64," + base64(g.chars(std::string(256, 'a'), 10) + g.alnum(500)) + "\"}(this);\n";
            return N(F, "dist/app." + g.hex(8) + ".min.js", s);
        },
        [F](Gen& g) {
            std::string s = "id,uuid,created_at\n";
            for (int i = 0; i < 50; ++i) s += std::to_string(i) + "," + g.uuid() + ",2024-01-0" + std::to_string(1 + g.pick(9)) + "T10:00:00Z\n";
            return N(F, "data/" + g.word() + ".csv", s);
        },
        [F](Gen& g) {
            std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 24 24\"><path d=\"";
            for (int i = 0; i < 200; ++i) s += "M" + std::to_string(g.pick(24)) + "." + std::to_string(g.pick(99)) + " " + std::to_string(g.pick(24)) + "l" + std::to_string(g.pick(9)) + " ";
            return N(F, "assets/icon-" + g.word() + ".svg", s + "\"/></svg>\n");
        },
        [F](Gen& g) {
            std::string s;
            for (int i = 0; i < 40; ++i) s += "commit " + g.hex(40) + "\nAuthor: Dev <dev@" + g.word() + ".io>\n\n    Fix " + g.word() + " handling\n\n";
            return N(F, "docs/CHANGES.log", s);
        },
        [F](Gen& g) {
            return N(F, "docs/lorem.md", "# " + g.word() + "\n\nLorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.\nsecret: lorem-ipsum-dolor-sit-amet\ntoken = \"consectetur adipiscing elit\"\n");
        },
        [F](Gen& g) {
            std::string s = "{\"version\":3,\"sources\":[\"src/" + g.word() + ".ts\"],\"names\":[\"token\",\"secret\"],\"mappings\":\"";
            for (int i = 0; i < 300; ++i) s += g.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 4 + g.pick(4)) + (i % 7 ? "," : ";");
            return N(F, "dist/app.js.map", s + "\"}\n");
        },
    };
}

// Non-secrets that look like secrets to a pattern matcher, labelled honestly: some are reported.
std::vector<Make> hard_cases() {
    const std::string F = "hard-cases";
    return {
        [F](Gen& g) { return N(F, "test/credential/netrc/test.netrc", "machine imap login " + g.word() + "@example.org port imaps password letmeknow\nmachine imap2 login bob password bobwillknow\n"); },
        [F](Gen& g) { return N(F, "docs/README.md", "Set your key in the config:\n\n```yaml\napi_key: " + g.hex(32) + "\n```\n"); },
        [F](Gen& g) { return N(F, "crypto/vectors.json", "{\"tests\": [{\"shared_secret\": \"" + g.hex(64) + "\", \"exporter_secret\": \"" + g.hex(64) + "\"}]}\n"); },
        [F](Gen& g) { return N(F, "src/i18n/messages.properties", "login.password=Password\nlogin.password.hint=At least 12 characters\nreset.token=Reset token\naccount." + g.word() + ".secret=Secret question\n"); },
        [F](Gen& g) { return N(F, "src/oauth/installed_app.py", "# Public client: the secret is not confidential for installed apps.\nCLIENT_ID = '" + g.lower_alnum(12) + ".apps.example.com'\nCLIENT_NOTSOSECRET = '" + g.alnum(24) + "'\n"); },
        [F](Gen& g) { return N(F, "src/cache.go", "package cache\n\nconst cacheKey = \"" + g.hex(32) + "\"\nconst sessionToken = \"" + g.word() + "-" + g.word() + "-" + g.word() + "-" + g.word() + "\"\n"); },
        [F](Gen& g) { return N(F, "k8s/sealed-secret.yaml", "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nspec:\n  encryptedData:\n    password: Ag" + g.b64(300) + "==\n"); },
    };
}

std::vector<Sample> expand(const std::vector<Make>& makes, std::size_t n, std::uint64_t seed) {
    std::vector<Sample> out;
    for (std::size_t i = 0; i < n; ++i) {
        Gen g(seed * 7919 + i * 104729 + 17);
        out.push_back(makes[i % makes.size()](g));
    }
    return out;
}

}  // namespace

std::vector<Sample> negatives() {
    std::vector<Sample> out;
    auto add = [&](std::vector<Sample> v) { for (auto& s : v) out.push_back(std::move(s)); };
    add(expand(dotfiles(), 24, 11));
    add(expand(shell(), 24, 12));
    add(expand(ftp(), 18, 13));
    add(expand(app_config(), 30, 14));
    add(expand(infra(), 24, 15));
    add(expand(hashes(), 21, 16));
    add(expand(keys(), 21, 17));
    add(expand(sensitive_paths(), 24, 18));
    add(expand(generic(), 30, 19));
    add(expand(encoded(), 24, 20));
    add(expand(non_secrets(), 72, 21));
    add(expand(hard_cases(), 14, 22));
    return out;
}

}  // namespace ks::corpus
