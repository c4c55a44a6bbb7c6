/**
 * A two-user WebRTC call with hubcast as the signalling server (docs/ephemeral.md §10).
 *
 * Each user listens on their personal channel `user.<me>.signal`; `signal.send {to, data}`
 * hands an offer, answer, ICE candidate or hang-up to the other user as an ephemeral event
 * (live only, never stored), whose `from` says who sent it. No build step: the SDK comes as
 * browser modules from the dev server (`/sdk/...`, see the import map).
 *
 * Query parameters: `user` joins at once as that user; `peer` fills in the callee; `stun`
 * (a `stun:` URL, repeatable) configures STUN, none by default; `loopback=1` signals only
 * 127.0.0.1 / ::1 candidates, for two tabs on one machine without touching the network.
 */
import { HubcastClient } from '@hubcast/client';

const params = new URLSearchParams(location.search);
const iceServers = params.getAll('stun').map((urls) => ({ urls }));
const loopbackOnly = params.get('loopback') === '1';

const $ = (id) => /** @type {HTMLElement} */ (document.querySelector(`[data-testid="${id}"]`));
const ui = {
  joinForm: $('join-form'),
  user: /** @type {HTMLInputElement} */ ($('user-input')),
  join: /** @type {HTMLButtonElement} */ ($('join-button')),
  callForm: $('call-form'),
  peerInput: /** @type {HTMLInputElement} */ ($('peer-input')),
  media: /** @type {HTMLInputElement} */ ($('media-input')),
  call: /** @type {HTMLButtonElement} */ ($('call-button')),
  hangup: /** @type {HTMLButtonElement} */ ($('hangup-button')),
  chatForm: $('chat-form'),
  chatInput: /** @type {HTMLInputElement} */ ($('chat-input')),
  chat: /** @type {HTMLButtonElement} */ ($('chat-button')),
  clientState: $('client-state'),
  peer: $('peer'),
  connectionState: $('connection-state'),
  channelState: $('channel-state'),
  received: $('received'),
  video: /** @type {HTMLVideoElement} */ ($('remote-video')),
  log: $('log'),
};

/** @type {HubcastClient | undefined} */
let client;
let me = '';
/** The call in progress: one peer at a time. */
let call;

function log(line) {
  ui.log.textContent += `${new Date().toISOString().slice(11, 23)} ${line}\n`;
  ui.log.scrollTop = ui.log.scrollHeight;
}

/** Sends one signal to `to` through hubcast (an ephemeral event on `user.<to>.signal`). */
function signal(to, data) {
  if (client === undefined) return Promise.reject(new Error('not joined'));
  log(`→ ${to}: ${data.type}`);
  return client
    .rpc('signal.send', { to, data })
    .catch((err) => log(`signal.send failed: ${err.message}`));
}

function isLoopbackCandidate(candidate) {
  // `candidate:<foundation> <component> <protocol> <priority> <address> <port> typ ...`
  const address = (candidate.address ?? candidate.candidate.split(' ')[4] ?? '').replace(
    /^\[|\]$/g,
    '',
  );
  return address === '127.0.0.1' || address === '::1';
}

/** A peer connection to `peer`, wired to signalling and the page. */
function newCall(peer) {
  const pc = new RTCPeerConnection({ iceServers });
  const state = { peer, pc, channel: undefined, pendingCandidates: [], remoteSet: false };
  pc.onicecandidate = ({ candidate }) => {
    if (candidate === null) return;
    if (loopbackOnly && !isLoopbackCandidate(candidate)) {
      log(`candidate ${candidate.address ?? '?'} not signalled (loopback=1)`);
      return;
    }
    log(`candidate ${candidate.address ?? '?'} signalled`);
    void signal(peer, { type: 'candidate', candidate: candidate.toJSON() });
  };
  pc.onconnectionstatechange = () => {
    ui.connectionState.textContent = pc.connectionState;
    log(`connection ${pc.connectionState}`);
  };
  pc.ondatachannel = ({ channel }) => useChannel(state, channel);
  pc.ontrack = ({ streams }) => {
    if (streams[0] !== undefined) ui.video.srcObject = streams[0];
  };
  ui.peer.textContent = peer;
  ui.hangup.disabled = false;
  call = state;
  return state;
}

function useChannel(state, channel) {
  state.channel = channel;
  ui.channelState.textContent = channel.readyState;
  channel.onopen = () => {
    ui.channelState.textContent = 'open';
    ui.chat.disabled = false;
    log('data channel open');
    channel.send(`hello from ${me}`);
  };
  channel.onclose = () => {
    ui.channelState.textContent = 'closed';
    ui.chat.disabled = true;
  };
  channel.onmessage = ({ data }) => {
    ui.received.textContent = String(data);
    log(`data channel: ${data}`);
  };
}

/**
 * Camera and microphone when ticked. Asked before the peer connection exists: Chrome lists
 * only the default route's address to a page without media permission, all networks with it.
 */
async function getMedia() {
  if (!ui.media.checked) return undefined;
  return navigator.mediaDevices.getUserMedia({ audio: true, video: true });
}

function addMedia(pc, stream) {
  if (stream === undefined) return;
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
}

async function startCall(peer) {
  endCall();
  const stream = await getMedia();
  const state = newCall(peer);
  useChannel(state, state.pc.createDataChannel('chat'));
  addMedia(state.pc, stream);
  const offer = await state.pc.createOffer();
  await state.pc.setLocalDescription(offer);
  // The offer as created: candidates follow one by one (trickle ICE).
  await signal(peer, { type: 'offer', sdp: offer.sdp });
}

async function onSignal(event) {
  const from = event.from;
  const data = event.data;
  if (typeof from !== 'string' || data === null || typeof data !== 'object') return;
  log(`← ${from}: ${data.type}`);
  if (data.type === 'offer') {
    endCall();
    const stream = await getMedia();
    const state = newCall(from);
    addMedia(state.pc, stream);
    await state.pc.setRemoteDescription({ type: 'offer', sdp: data.sdp });
    await remoteSet(state);
    const answer = await state.pc.createAnswer();
    await state.pc.setLocalDescription(answer);
    await signal(from, { type: 'answer', sdp: answer.sdp });
    return;
  }
  // Anything else belongs to the call with this peer; a stray signal is ignored.
  if (call === undefined || call.peer !== from) return;
  if (data.type === 'answer') {
    await call.pc.setRemoteDescription({ type: 'answer', sdp: data.sdp });
    await remoteSet(call);
  } else if (data.type === 'candidate') {
    // Candidates may overtake the offer's processing: held until the description is set.
    if (call.remoteSet) await call.pc.addIceCandidate(data.candidate);
    else call.pendingCandidates.push(data.candidate);
  } else if (data.type === 'hangup') endCall();
}

async function remoteSet(state) {
  state.remoteSet = true;
  for (const candidate of state.pendingCandidates.splice(0))
    await state.pc.addIceCandidate(candidate);
}

function endCall() {
  if (call === undefined) return;
  call.pc.close();
  call = undefined;
  ui.peer.textContent = '—';
  ui.connectionState.textContent = 'closed';
  ui.channelState.textContent = '—';
  ui.hangup.disabled = true;
  ui.chat.disabled = true;
}

async function join(user) {
  const res = await fetch(`/examples/webrtc/token?user=${encodeURIComponent(user)}`);
  if (!res.ok) throw new Error(`token: HTTP ${res.status}`);
  const { token } = await res.json();
  me = user;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  client = new HubcastClient({ url: `${scheme}//${location.host}/ws`, token });
  client.on('state', ({ to }) => (ui.clientState.textContent = to));
  client.subscribe(`user.${user}.signal`, (event) => {
    onSignal(event).catch((err) => log(`signal failed: ${err.message}`));
  });
  await client.connect();
  ui.user.disabled = true;
  ui.join.disabled = true;
  ui.call.disabled = false;
  log(`joined as ${user}`);
  window.hubcastCall = {
    client,
    get call() {
      return call;
    },
  };
}

ui.joinForm.addEventListener('submit', (e) => {
  e.preventDefault();
  join(ui.user.value.trim()).catch((err) => log(`join failed: ${err.message}`));
});
ui.callForm.addEventListener('submit', (e) => {
  e.preventDefault();
  startCall(ui.peerInput.value.trim()).catch((err) => log(`call failed: ${err.message}`));
});
ui.hangup.addEventListener('click', () => {
  if (call !== undefined) void signal(call.peer, { type: 'hangup' });
  endCall();
});
ui.chatForm.addEventListener('submit', (e) => {
  e.preventDefault();
  if (call?.channel?.readyState === 'open') call.channel.send(ui.chatInput.value);
  ui.chatInput.value = '';
});

if (params.get('peer') !== null) ui.peerInput.value = params.get('peer') ?? '';
if (params.get('user') !== null) {
  ui.user.value = params.get('user') ?? '';
  join(ui.user.value).catch((err) => log(`join failed: ${err.message}`));
}
