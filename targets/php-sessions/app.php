<?php
// The PHP sessions target: a small PHP app keeping its users in PHP's own sessions (the handler and where it keeps
// them come from php.ini, i.e. from the environment the harness gives each instance: `files` in the instance's own
// folder, or Debian's php-redis in the shared redis-server). Log in by choosing a username (a double-submit CSRF
// token first), then a key/value profile, the instance that served the page, a health page.
// Run as PHP's built-in server's router script: php -c php.ini -S HOST:PORT app.php

declare(strict_types=1);

$path = parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH) ?: '/';
$method = $_SERVER['REQUEST_METHOD'] ?? 'GET';
$instance = getenv('INSTANCE_ID') ?: gethostname();

function page(string $title, string $body): void
{
    header('Content-Type: text/html; charset=utf-8');
    header('Cache-Control: no-store');
    echo "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>", htmlspecialchars($title), "</title></head>\n";
    echo "<body>\n", $body, "\n</body></html>\n";
}

function e(string $text): string
{
    return htmlspecialchars($text, ENT_QUOTES | ENT_HTML5, 'UTF-8');
}

/** The profile page of the logged-in user. */
function profilePage(string $instance): void
{
    $rows = '';
    foreach ($_SESSION['profile'] as $key => $value) {
        $rows .= '<dt>' . e((string) $key) . '</dt><dd id="' . e((string) $key) . '">' . e((string) $value) . "</dd>\n";
    }
    page('Profile', '<p>Logged in as <b id="user">' . e($_SESSION['username']) . '</b>, served by <i id="instance">'
        . e($instance) . "</i></p>\n<dl>\n" . $rows . "</dl>\n"
        . '<form method="post" action="/"><input name="key" placeholder="key"> <input name="value" placeholder="value"> '
        . "<button>Save</button></form>\n"
        . '<form method="post" action="/logout"><button>Log out</button></form>');
}

function redirect(string $to): void
{
    http_response_code(302);
    header('Location: ' . $to);
}

if ($path === '/health.php') {
    header('Content-Type: text/plain');
    echo "ok\n";
    return;
}

if ($path === '/login' && $method === 'GET') {
    $token = bin2hex(random_bytes(16));
    setcookie('csrf', $token, ['path' => '/', 'httponly' => true, 'samesite' => 'Lax']);
    page('Log in', '<form method="post" action="/login"><input type="hidden" name="token" value="' . $token . '">'
        . '<label>Username <input name="username"></label> <button>Log in</button></form>'
        . '<p>served by <i id="instance">' . e($instance) . '</i></p>');
    return;
}

if ($path === '/login' && $method === 'POST') {
    $token = $_POST['token'] ?? '';
    if (!is_string($token) || $token === '' || !hash_equals($_COOKIE['csrf'] ?? '', $token)) {
        http_response_code(419);
        page('Expired', '<p>The form has expired (CSRF token): <a href="/login">log in again</a>.</p>');
        return;
    }
    $username = $_POST['username'] ?? '';
    if (!is_string($username) || !preg_match('/^[A-Za-z0-9._-]{1,64}$/', $username)) {
        http_response_code(422);
        page('Log in', '<p>A username is 1 to 64 of A-Z a-z 0-9 . _ -</p>');
        return;
    }
    session_start();
    session_regenerate_id(true);
    $_SESSION = ['username' => $username, 'profile' => []];
    profilePage($instance);
    return;
}

if ($path === '/logout' && $method === 'POST') {
    if (isset($_COOKIE[session_name()])) {
        session_start();
        $_SESSION = [];
        session_destroy();
        setcookie(session_name(), '', ['expires' => 1, 'path' => '/']);
    }
    redirect('/login');
    return;
}

if ($path === '/') {
    if (!isset($_COOKIE[session_name()])) {
        redirect('/login');
        return;
    }
    session_start();
    if (!isset($_SESSION['username'])) {
        // Not this server's session (or none any more): a logged-out answer, and no empty session left behind.
        session_destroy();
        redirect('/login');
        return;
    }
    if ($method === 'POST') {
        $key = $_POST['key'] ?? '';
        $value = $_POST['value'] ?? '';
        if (!is_string($key) || !preg_match('/^[A-Za-z0-9_-]{1,32}$/', $key) || !is_string($value) || strlen($value) > 256) {
            http_response_code(422);
            page('Profile', '<p>A key is 1 to 32 of A-Z a-z 0-9 _ -; a value at most 256 bytes</p>');
            return;
        }
        $_SESSION['profile'][$key] = $value;
    }
    profilePage($instance);
    return;
}

http_response_code(404);
page('Not found', '<p>Not found</p>');
