/**
 * Counts the turns of the event loop until stopped: an immediate that queues itself runs once per
 * turn (immediates queued while the check phase runs wait for the next turn).
 */
export const countTurns = () => {
  let turns = 0;
  let running = true;
  const turn = () => {
    turns += 1;
    if (running) setImmediate(turn);
  };
  setImmediate(turn);
  return { now: () => turns, stop: () => (running = false) };
};
