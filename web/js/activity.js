// Activity: what the person does on the page (pointer presses, keys, the wheel, touches), told to
// the server as an RTM tickle at most once per interval. Only events the browser marks as trusted
// count (a script's dispatched event is not a person), and nothing else is ever reported: a tab
// left alone sends nothing and goes away after the idle time like any client.

const inputs = ['pointerdown', 'keydown', 'wheel', 'touchstart'];
const interval = 30000;

/**
 * Starts watching the window; `rtm()` is the connection to tell (or null while signed out).
 * Returns {idle()}: call it when the server reports the person away, so their next input is told
 * at once instead of at the end of the interval.
 */
export function watchActivity(rtm) {
  let lastSent = -Infinity;
  let pending = null;
  const send = () => {
    pending = null;
    if (rtm()?.tickle()) lastSent = Date.now();
  };
  const onInput = (event) => {
    if (!event.isTrusted) return;
    const wait = lastSent + interval - Date.now();
    if (wait <= 0) {
      clearTimeout(pending);
      send();
    } else if (!pending) {
      // The last input of an interval is told at its end.
      pending = setTimeout(send, wait);
    }
  };
  for (const type of inputs) window.addEventListener(type, onInput, {passive: true, capture: true});
  return {
    idle() {
      // Input the server did not hear before it turned the person away is older than the idle
      // time: dropped, and the next input goes at once.
      clearTimeout(pending);
      pending = null;
      lastSent = -Infinity;
    },
  };
}
