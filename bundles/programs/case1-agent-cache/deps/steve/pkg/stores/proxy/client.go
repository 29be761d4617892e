package proxy

import (
	"fmt"
	"math/rand"
	"sync"
)

// resourceClient imitates the dynamic client talking to the API server of a
// busy cluster: every list returns tens to hundreds of unstructured objects,
// and resource versions move on all the time.
type resourceClient struct {
	mu  sync.Mutex
	rv  int64
	rnd *rand.Rand
}

func (c *resourceClient) resourceVersion(typ string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rv++ // something always changed
	return c.rv
}

// List returns the objects of typ in namespace at resource version rv.
func (c *resourceClient) List(typ, namespace string, rv int64) []map[string]interface{} {
	c.mu.Lock()
	if c.rnd == nil {
		c.rnd = rand.New(rand.NewSource(1))
	}
	n := 150 + c.rnd.Intn(450)
	c.mu.Unlock()
	objs := make([]map[string]interface{}, n)
	for i := range objs {
		name := fmt.Sprintf("%s-%s-%05d", typ, namespace, i)
		objs[i] = map[string]interface{}{
			"apiVersion": "v1",
			"kind":       typ,
			"metadata": map[string]interface{}{
				"name":            name,
				"namespace":       namespace,
				"uid":             fmt.Sprintf("%08x-%04x-4000-8000-%012x", rv, i, rv*7919+int64(i)),
				"resourceVersion": fmt.Sprint(rv),
				"labels": map[string]interface{}{
					"app.kubernetes.io/name":       name,
					"app.kubernetes.io/managed-by": "fleet",
					"objectset.rio.cattle.io/hash": fmt.Sprintf("%040x", rv*int64(i+1)),
				},
				"annotations": map[string]interface{}{
					"field.cattle.io/publicEndpoints": `[{"addresses":["10.43.0.1"],"port":443,"protocol":"TCP"}]`,
					"kubectl.kubernetes.io/last-applied-configuration": fmt.Sprintf(
						`{"apiVersion":"v1","kind":"%s","metadata":{"name":"%s","namespace":"%s"},"spec":{"replicas":1,"template":{"spec":{"containers":[{"image":"rancher/agent:v2.6.3","name":"agent"}]}}}}`,
						typ, name, namespace),
				},
			},
			"spec": map[string]interface{}{
				"nodeName": fmt.Sprintf("edge-node-%03d", i%97),
				"containers": []interface{}{map[string]interface{}{
					"name":  "agent",
					"image": "rancher/rancher-agent:v2.6.3",
					"env":   []interface{}{map[string]interface{}{"name": "CATTLE_SERVER", "value": "https://rancher.example.com"}},
				}},
			},
			"status": map[string]interface{}{
				"phase":      "Running",
				"conditions": []interface{}{map[string]interface{}{"type": "Ready", "status": "True", "lastTransitionTime": "2022-03-01T00:00:00Z"}},
			},
		}
	}
	return objs
}
