/**
 * A workflow run: subscribes to `workflow.<id>.*`, then asks the demo server to run it, so
 * every step event arrives live and shows as it happens, in order.
 */
import { useChannel } from '@hubcast/vue';
import { defineComponent, h, ref, watch } from 'vue';

interface StepData {
  index: number;
  step: string;
  at: string;
}

const isStep = (d: unknown): d is StepData =>
  typeof d === 'object' &&
  d !== null &&
  typeof (d as StepData).step === 'string' &&
  typeof (d as StepData).index === 'number';

const WorkflowRun = defineComponent({
  name: 'WorkflowRun',
  props: { runId: { type: String, required: true } },
  setup(props) {
    const { events, state, error } = useChannel(`workflow.${props.runId}.*`, { limit: 50 });
    const startError = ref<string>();
    // Start the run only once the subscription is live: no step can happen before we listen.
    const stop = watch(
      state,
      (s) => {
        if (s !== 'subscribed') return;
        stop();
        fetch(`/demo/workflows/${encodeURIComponent(props.runId)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
        }).then(
          (res) => {
            if (!res.ok) startError.value = `start answered ${res.status}`;
          },
          (err: unknown) => (startError.value = (err as Error).message),
        );
      },
      { immediate: true },
    );
    return () =>
      h('div', { class: 'run', 'data-run': props.runId }, [
        h('h3', `run ${props.runId} · ${state.value}`),
        error.value === undefined ? null : h('p', { class: 'error' }, error.value.message),
        startError.value === undefined ? null : h('p', { class: 'error' }, startError.value),
        h(
          'ol',
          { 'data-testid': 'steps' },
          events.value.map((e) => {
            const d = e.data;
            return isStep(d)
              ? h(
                  'li',
                  { key: e.event_id, 'data-step': d.step },
                  `${d.step} · ${d.at.slice(11, 19)}`,
                )
              : null;
          }),
        ),
      ]);
  },
});

export const WorkflowView = defineComponent({
  name: 'WorkflowView',
  setup() {
    const runId = ref<string>();
    return () =>
      h('section', { class: 'workflow' }, [
        h('h2', 'Workflow run'),
        h(
          'button',
          {
            'data-testid': 'run-workflow',
            onClick: () => (runId.value = `wf-${Date.now().toString(36)}`),
          },
          'run a workflow',
        ),
        runId.value === undefined ? null : h(WorkflowRun, { key: runId.value, runId: runId.value }),
      ]);
  },
});
