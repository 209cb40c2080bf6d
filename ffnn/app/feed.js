// The live stage's feed: hands each batch of frames to the stage's own script (stage.js), which
// draws it. A mount of its own, so that the messages sent while a run plays carry no drawing
// code (Streamlit sends a component's script with each of its elements).
export default function ({ data, setTriggerValue, parentElement }) {
  const feed = (globalThis.__ffnnFeed ??= { queue: [] });
  if (feed.receive) feed.receive(data, setTriggerValue, parentElement);
  else feed.queue.push([data, setTriggerValue, parentElement]);
}
