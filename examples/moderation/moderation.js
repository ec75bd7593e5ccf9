// The demo admin page: a moderator pastes a staff token; <lifeboat-moderation> does the rest.
// The token lives in sessionStorage (this tab only) and goes to the server only as a header.
const KEY = 'lifeboat:demo:staff-token';
const form = document.getElementById('sign-in');
const input = document.getElementById('token');
const signedIn = document.getElementById('signed-in');
const moderation = document.querySelector('lifeboat-moderation');

function read() {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

function write(token) {
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    // Blocked storage: the token lasts until the page is left.
  }
}

function show(token) {
  moderation.token = token;
  form.hidden = Boolean(token);
  signedIn.hidden = !token;
  if (token) void customElements.whenDefined('lifeboat-moderation').then(() => moderation.focus());
  else input.focus();
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = input.value.trim();
  if (!token) return;
  input.value = '';
  write(token);
  show(token);
});

// Signed in through the company's identity provider (the component's "Sign in with …" button;
// docs/staff-sign-in.md): keep the session token like a pasted one.
document.addEventListener('lifeboat-staff-sign-in', (event) => {
  write(event.detail.token);
  show(event.detail.token);
  document.getElementById('signed-in-as').textContent =
    `Signed in as ${event.detail.member.displayName} (${event.detail.member.role}).`;
});

document.getElementById('sign-out').addEventListener('click', () => {
  write(null);
  show(null);
  document.getElementById('signed-in-as').textContent = 'Signed in with a staff token.';
});

show(read());
