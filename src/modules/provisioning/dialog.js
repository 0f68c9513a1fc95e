// Opens the Resend confirmation as a modal dialog; without this script the link opens it as a page.
document.addEventListener('click', (event) => {
  const opener = event.target instanceof Element ? event.target.closest('[data-dialog]') : null;
  if (!opener) return;
  const dialog = document.getElementById(opener.getAttribute('data-dialog') || '');
  if (!dialog || typeof dialog.showModal !== 'function') return;
  event.preventDefault();
  dialog.showModal();
  const confirm = dialog.querySelector('button[type="submit"]');
  if (confirm) confirm.focus();
});
